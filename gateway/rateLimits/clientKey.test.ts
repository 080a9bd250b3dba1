import { clientKey } from './clientKey';

describe('clientKey (the anonymous budget of an address)', () => {
  it('keys an IPv4 client by its address', () => {
    expect(clientKey('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(clientKey('203.0.113.8')).not.toBe(clientKey('203.0.113.7'));
  });

  it('keys an IPv6 client by its /64, so rotating the interface id gives no fresh budget', () => {
    const key = clientKey('2001:db8:1:2::1');
    expect(key).toBe('ip6:2001:db8:1:2::/64');
    for (const other of [
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0DB8:0001:0002:1234:5678:9abc:def0',
      '2001:db8:1:2::',
    ]) {
      expect(clientKey(other)).toBe(key);
    }
    expect(clientKey('2001:db8:1:2:0:0:1.2.3.4')).toBe(key);
    expect(clientKey('fe80::1%eth0')).toBe('ip6:fe80:0:0:0::/64');
  });

  it('gives the next /64 a budget of its own', () => {
    expect(clientKey('2001:db8:1:3::1')).toBe('ip6:2001:db8:1:3::/64');
    expect(clientKey('::1')).toBe('ip6:0:0:0:0::/64');
  });

  it('keys an IPv4-mapped IPv6 address as the IPv4 client it is', () => {
    expect(clientKey('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
    expect(clientKey('::ffff:cb00:7107')).toBe('ip:203.0.113.7');
    expect(clientKey('0:0:0:0:0:ffff:203.0.113.7')).toBe('ip:203.0.113.7');
  });

  it('keeps an unknown address as it is', () => {
    expect(clientKey('unknown')).toBe('ip:unknown');
  });
});
