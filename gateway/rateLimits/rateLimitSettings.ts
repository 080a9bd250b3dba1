import { isIP } from 'node:net';
import { z } from 'zod';
import { custom, integer, optionalUrl, text } from '../../platform/settings/setting';
import { ConfigError, settingsGroup } from '../../platform/settings/settingsGroup';

export interface RateLimitSettings {
  /** Points per window, per user (per client address when anonymous): 1 a query, 1 per root field of a mutation. */
  points: number;
  windowSeconds: number;
  /** logIn/signUp fields per window, per client address: each aliased copy is one attempt. */
  authPoints: number;
  authWindowSeconds: number;
  /** logIn fields per window, per account (its email), whatever the client address. */
  accountPoints: number;
  accountWindowSeconds: number;
  /** The first lockout of an account once its tries are spent; each next one doubles, up to the max. */
  accountLockoutSeconds: number;
  accountLockoutMaxSeconds: number;
  /** Shared store for every gateway replica; unset = each process counts in memory. */
  redisUrl?: string;
  /** Prefix of the keys in Redis. */
  keyPrefix: string;
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, a subnet (`10.0.0.0/8`) or one of express's names for a range. */
function isTrustedProxyEntry(entry: string): boolean {
  if (PROXY_KEYWORDS.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || isIP(address) === 0) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (isIP(address) === 4 ? 32 : 128));
}

/**
 * Express's `trust proxy`: a hop count or a list of trusted addresses; unset = the socket's peer.
 * Not `true`: express would then take the left-most X-Forwarded-For entry, which the client writes
 * itself, and every forged address would get a fresh budget.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): number | string | undefined => {
    if (v === undefined || v === '' || v === 'false') return undefined;
    if (v === 'true') {
      ctx.addIssue({
        code: 'custom',
        message:
          'true would trust the X-Forwarded-For the client writes; give the number of proxies in front (1 behind one Ingress)',
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(v)) return Number(v);
    const bad = v
      .split(',')
      .map((entry) => entry.trim())
      .find((entry) => !isTrustedProxyEntry(entry));
    if (bad === undefined) return v;
    ctx.addIssue({ code: 'custom', message: `not a hop count, an address, a subnet or loopback: ${bad}` });
    return z.NEVER;
  });

/** Budgets per client, checked before any subgraph is called, and how the client is told apart. */
export const rateLimitSettings = settingsGroup(
  'rateLimits',
  ['gateway'],
  {
    RATE_LIMIT_POINTS: integer({
      default: 600,
      min: 1,
      description:
        'points per window, per user (per client address when anonymous): a query or subscription costs 1, a mutation 1 per root field (ten aliased `placeOrder`s cost 10); an operation over the rest of the budget is refused whole, uncharged',
    }),
    RATE_LIMIT_WINDOW_SECONDS: integer({
      default: 60,
      min: 1,
      description: "the fixed window of `RATE_LIMIT_POINTS`, from a key's first operation",
    }),
    AUTH_RATE_LIMIT_POINTS: integer({
      default: 10,
      min: 1,
      description:
        'logIn/signUp fields per window, per client address (an IPv6 client by its /64): each aliased copy is one attempt',
    }),
    AUTH_RATE_LIMIT_WINDOW_SECONDS: integer({
      default: 60,
      min: 1,
      description: 'the fixed window of `AUTH_RATE_LIMIT_POINTS`',
    }),
    ACCOUNT_RATE_LIMIT_POINTS: integer({
      default: 5,
      min: 1,
      description:
        'logIn tries per window for one account (its `email`, trimmed and lower-cased, hashed in the key), from any number of addresses; once spent the account is locked out (`ACCOUNT_LOCKOUT_SECONDS`); a successful logIn clears its count',
    }),
    ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: integer({
      default: 900,
      min: 1,
      description: "the fixed window of `ACCOUNT_RATE_LIMIT_POINTS`, from the account's first try",
    }),
    ACCOUNT_LOCKOUT_SECONDS: integer({
      default: 60,
      min: 1,
      description:
        'how long an account refuses logIn (`RATE_LIMITED`, `Retry-After`) once its tries are spent; each next lockout within a day doubles, up to `ACCOUNT_LOCKOUT_MAX_SECONDS`',
    }),
    ACCOUNT_LOCKOUT_MAX_SECONDS: integer({
      default: 3600,
      min: 1,
      description: 'the longest lockout of an account; at least `ACCOUNT_LOCKOUT_SECONDS`',
    }),
    REDIS_URL: optionalUrl({
      description:
        'Redis holding every budget, shared by all gateway replicas; while it cannot be reached each replica limits alone, in memory (`rate_limit_store_available` 0); unset = each process counts in memory',
    }),
    RATE_LIMIT_KEY_PREFIX: text({
      default: 'ratelimit',
      pattern: { regex: /^[A-Za-z0-9_:-]+$/, allows: 'letters, digits, _, : and - only' },
      description: 'prefix of the budget keys in Redis (gateways sharing a prefix share budgets)',
    }),
    TRUST_PROXY: custom({
      values: 'a hop count, or addresses and subnets (`loopback, 10.0.0.0/8`)',
      invalid: 'true',
      description:
        "which proxies in front of the gateway may name the client in `X-Forwarded-For` (express's `trust proxy`): a hop count (1 behind one ingress-nginx; the chart sets it from `ingress.trustedProxyHops`) takes the entry that many proxies appended, never one the client wrote; `true` is refused; unset = the socket's peer address",
      schema: trustProxy,
    }),
  },
  (s): { rateLimits: RateLimitSettings; trustProxy?: number | string } => {
    if (s.ACCOUNT_LOCKOUT_MAX_SECONDS < s.ACCOUNT_LOCKOUT_SECONDS) {
      throw new ConfigError(
        `invalid setting ACCOUNT_LOCKOUT_MAX_SECONDS: ${s.ACCOUNT_LOCKOUT_MAX_SECONDS} is shorter than ACCOUNT_LOCKOUT_SECONDS (${s.ACCOUNT_LOCKOUT_SECONDS})`,
      );
    }
    return {
      rateLimits: {
        points: s.RATE_LIMIT_POINTS,
        windowSeconds: s.RATE_LIMIT_WINDOW_SECONDS,
        authPoints: s.AUTH_RATE_LIMIT_POINTS,
        authWindowSeconds: s.AUTH_RATE_LIMIT_WINDOW_SECONDS,
        accountPoints: s.ACCOUNT_RATE_LIMIT_POINTS,
        accountWindowSeconds: s.ACCOUNT_RATE_LIMIT_WINDOW_SECONDS,
        accountLockoutSeconds: s.ACCOUNT_LOCKOUT_SECONDS,
        accountLockoutMaxSeconds: s.ACCOUNT_LOCKOUT_MAX_SECONDS,
        redisUrl: s.REDIS_URL,
        keyPrefix: s.RATE_LIMIT_KEY_PREFIX,
      },
      trustProxy: s.TRUST_PROXY,
    };
  },
);
