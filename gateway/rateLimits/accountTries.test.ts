import { RateLimiterMemory } from 'rate-limiter-flexible';
import { clearAccountTries, spendAccountTries } from './accountTries';
import { RateLimitedError } from './RateLimitedError';

const policy = { points: 3, lockoutSeconds: 60, lockoutMaxSeconds: 200 };

function limiters() {
  return {
    attempts: new RateLimiterMemory({ points: policy.points, duration: 900 }),
    lockouts: new RateLimiterMemory({ points: 1_000_000_000, duration: 86_400 }),
  };
}

/** The wait a refused try was told, or 'allowed'. */
async function tryOnce(l: ReturnType<typeof limiters>, tries = 1, key = 'account:a'): Promise<number | 'allowed'> {
  try {
    await spendAccountTries(l.attempts, l.lockouts, policy, key, tries);
    return 'allowed';
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    expect(error.extensions.code).toBe('RATE_LIMITED');
    expect(error.message).toBe(`Too many sign-in attempts, retry in ${error.retryAfterSeconds} s`);
    return error.retryAfterSeconds;
  }
}

/** Lets the lockout pass: the key's block expires. */
const endLockout = (l: ReturnType<typeof limiters>) => l.attempts.delete('account:a');

describe('spendAccountTries (logIn per account)', () => {
  it('allows a few tries, then locks the account out, each lockout twice as long up to the max', async () => {
    const l = limiters();
    const waits: (number | 'allowed')[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < policy.points; i++) expect(await tryOnce(l)).toBe('allowed');
      waits.push(await tryOnce(l));
      // Tries during the lockout are refused with the time it still runs, and do not lengthen it.
      const during = await tryOnce(l);
      expect(during).toBeLessThanOrEqual(waits[waits.length - 1] as number);
      await endLockout(l);
    }
    expect(waits).toEqual([60, 120, 200, 200]);
  });

  it('refuses an operation with more tries than the account has left, whole and uncharged, without a lockout', async () => {
    const l = limiters();
    expect(await tryOnce(l, 1)).toBe('allowed');
    expect(await tryOnce(l, 1000)).toBeGreaterThan(60);
    expect(await tryOnce(l, 2)).toBe('allowed');
    expect(await tryOnce(l, 1)).toBe(60);
  });

  it('keeps accounts apart', async () => {
    const l = limiters();
    for (let i = 0; i < policy.points; i++) await tryOnce(l);
    expect(await tryOnce(l)).toBe(60);
    expect(await tryOnce(l, 1, 'account:b')).toBe('allowed');
  });

  it('starts over, tries and lockouts, after a successful logIn', async () => {
    const l = limiters();
    for (let i = 0; i < policy.points; i++) await tryOnce(l);
    expect(await tryOnce(l)).toBe(60);
    await clearAccountTries(l.attempts, l.lockouts, 'account:a');
    for (let i = 0; i < policy.points; i++) expect(await tryOnce(l)).toBe('allowed');
    expect(await tryOnce(l)).toBe(60);
  });
});
