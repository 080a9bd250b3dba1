import { LRUCache } from 'lru-cache';

/**
 * What a token was verified to say, kept until the token expires, so a token
 * presented again (a user's JWT on every request, a service token the gateway
 * reuses for most of its minute) costs a map lookup instead of a signature
 * check. Keyed by the whole token string: a different token is verified
 * afresh. Only successful verifications are kept; bounded, least recently
 * used first out.
 */
export class VerifiedTokens<T extends object> {
  private readonly cache: LRUCache<string, T>;

  constructor(max = 10_000) {
    this.cache = new LRUCache<string, T>({ max, ttlAutopurge: false, allowStale: false });
  }

  get(token: string): T | undefined {
    return this.cache.get(token);
  }

  /** `expiresAtSeconds`: the token's `exp`; past it the entry is gone and the token is checked (and refused) again. */
  remember(token: string, value: T, expiresAtSeconds: number): void {
    const ttl = expiresAtSeconds * 1000 - Date.now();
    // Frozen: every request presenting the token gets this same object.
    if (ttl > 0) this.cache.set(token, deepFreeze(value), { ttl });
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const field of Object.values(value)) if (field && typeof field === 'object') deepFreeze(field as object);
  return Object.freeze(value);
}
