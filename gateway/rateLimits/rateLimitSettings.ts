import { isIP } from 'node:net';
import { z } from 'zod';
import { custom, integer, optionalUrl, text } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';

export interface RateLimitSettings {
  /** Operations per window, per user (per IP when anonymous). */
  points: number;
  windowSeconds: number;
  /** logIn/signUp fields per window, per IP: each aliased copy is one attempt. */
  authPoints: number;
  authWindowSeconds: number;
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

/** Express's `trust proxy`: true, a hop count, or a list of trusted addresses; unset = the socket's peer. */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): boolean | number | string | undefined => {
    if (v === undefined || v === '' || v === 'false') return undefined;
    if (v === 'true') return true;
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
      description: 'operations per window, per user (per client address when anonymous)',
    }),
    RATE_LIMIT_WINDOW_SECONDS: integer({ default: 60, min: 1, description: 'the window of `RATE_LIMIT_POINTS`' }),
    AUTH_RATE_LIMIT_POINTS: integer({
      default: 10,
      min: 1,
      description: 'logIn/signUp fields per window, per client address: each aliased copy is one attempt',
    }),
    AUTH_RATE_LIMIT_WINDOW_SECONDS: integer({
      default: 60,
      min: 1,
      description: 'the window of `AUTH_RATE_LIMIT_POINTS`',
    }),
    REDIS_URL: optionalUrl({
      description: 'Redis shared by every gateway replica for the budgets; unset = each process counts in memory',
    }),
    RATE_LIMIT_KEY_PREFIX: text({
      default: 'ratelimit',
      pattern: { regex: /^[A-Za-z0-9_:-]+$/, allows: 'letters, digits, _, : and - only' },
      description: 'prefix of the keys in Redis',
    }),
    TRUST_PROXY: custom({
      values: '`true`, a hop count, or addresses and subnets (`loopback, 10.0.0.0/8`)',
      invalid: 'somewhere',
      description:
        "which proxies' `X-Forwarded-For` names the client (express's `trust proxy`; a hop count behind an Ingress); unset = the socket's peer address",
      schema: trustProxy,
    }),
  },
  (s): { rateLimits: RateLimitSettings; trustProxy?: boolean | number | string } => ({
    rateLimits: {
      points: s.RATE_LIMIT_POINTS,
      windowSeconds: s.RATE_LIMIT_WINDOW_SECONDS,
      authPoints: s.AUTH_RATE_LIMIT_POINTS,
      authWindowSeconds: s.AUTH_RATE_LIMIT_WINDOW_SECONDS,
      redisUrl: s.REDIS_URL,
      keyPrefix: s.RATE_LIMIT_KEY_PREFIX,
    },
    trustProxy: s.TRUST_PROXY,
  }),
);
