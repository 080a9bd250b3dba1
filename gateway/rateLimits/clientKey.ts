import { isIPv4, isIPv6 } from 'node:net';

/**
 * The budget key of an anonymous client's address. An IPv4 address is one
 * client. An IPv6 client is its /64: that is the smallest prefix a network
 * hands a site (RFC 6177), and every host in it picks its own interface id,
 * so keying by the full address would give whoever holds a /64 2^64 budgets.
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket
 * reports for an IPv4 peer) is that IPv4 client. Anything else (no address
 * known) is kept as it is, so such callers share one budget.
 */
export function clientKey(address: string): string {
  const ip = address.split('%')[0]; // a zone id (`fe80::1%eth0`) names an interface, not a client
  if (isIPv4(ip)) return `ip:${ip}`;
  if (!isIPv6(ip)) return `ip:${address}`;
  const groups = ipv6Groups(ip);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return `ip:${[groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.')}`;
  return `ip6:${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and a dotted IPv4 tail converted. */
function ipv6Groups(ip: string): number[] {
  const toGroups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a, b, c, d] = g.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head, tail] = ip.split('::');
  const left = toGroups(head);
  const right = tail === undefined ? [] : toGroups(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
