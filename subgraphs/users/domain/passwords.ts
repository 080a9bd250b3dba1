import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's Password Storage Cheat Sheet lists equivalent minimums for scrypt (N=2^17 r=8 p=1, 2^16/p=2,
 * 2^15/p=3, 2^14/p=5, 2^13/p=10). 2^14/p=5 costs the least CPU of them (as 2^13/p=10 does, with half
 * its memory hardness) and holds 128*N*r = 16 MiB while it runs (the p lanes run one after another):
 * libuv's 4 threads hashing at once hold 64 MiB, where N=2^17 would hold 512 MiB, a pod's whole limit.
 * Measured: about 210 ms per hash on the 2-core dev machine (the former 2^14/p=1: 45 ms).
 * Raising it later is safe: each hash names its own parameters, and logIn rehashes weaker ones.
 */
export const PASSWORD_COST: ScryptCost = { N: 16384, r: 8, p: 5 };
const SALT_BYTES = 16;
const KEY_BYTES = 64;
/** Refuse stored parameters beyond these (a corrupt row must not make us allocate gigabytes or spin for minutes). */
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
const MAX_PARALLELISM = 16;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function memoryFor(N: number, r: number): number {
  // scrypt needs 128*N*r bytes; Node refuses above maxmem, so give it headroom.
  return 128 * N * r * 2;
}

/** `scrypt$N$r$p$salt$hash` (salt and hash in base64): self-describing, so the cost can change. */
export async function hashPassword(password: string, cost: ScryptCost = PASSWORD_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, { ...cost, maxmem: memoryFor(cost.N, cost.r) });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { N, r, p, salt, key } = parsed;
  const candidate = await scrypt(password, salt, key.length, { N, r, p, maxmem: memoryFor(N, r) });
  return timingSafeEqual(candidate, key);
}

/**
 * Whether a stored hash was made with less than `current` asks: less memory (N*r) or less work
 * (N*r*p). A stronger or malformed one is left alone (a malformed one never matches anyway).
 */
export function isBelowCost(stored: string, current: ScryptCost = PASSWORD_COST): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { N, r, p } = parsed;
  return N * r < current.N * current.r || N * r * p < current.N * current.r * current.p;
}

function parseHash(stored: string) {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  const valid =
    [N, r, p].every((n) => Number.isInteger(n) && n > 0) &&
    (N & (N - 1)) === 0 &&
    memoryFor(N, r) <= MAX_MEMORY_BYTES &&
    p <= MAX_PARALLELISM &&
    salt.length > 0 &&
    key.length > 0;
  return valid ? { N, r, p, salt, key } : null;
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of no one's password, for checking a log-in whose email is unknown:
 * doing the same scrypt work keeps the answer time from telling which emails exist.
 */
export function hashOfNoOne(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64'));
  return dummyHash;
}
