import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's minimum for scrypt; raising it later is safe: each hash names its own parameters. */
const DEFAULT_COST = { N: 16384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 64;
/** Refuse stored parameters beyond this (a corrupt row must not make us allocate gigabytes). */
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;

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
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
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
