import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from './RateLimitedError';

/** How an account's logIn tries are limited: a few per window, then lockouts that double. */
export interface AccountPolicy {
  points: number;
  lockoutSeconds: number;
  lockoutMaxSeconds: number;
}

/** One message for every account: whether it exists is not the gateway's to tell, nor to know. */
export const SIGN_IN_REFUSED = 'Too many sign-in attempts';

/**
 * Takes `tries` logIn tries from an account's budget or throws
 * RateLimitedError. An operation carrying more tries than the account has
 * left is refused whole and uncharged, like every budget here. The first try
 * past a spent budget locks the account out for `lockoutSeconds`, each next
 * lockout within a day twice as long up to `lockoutMaxSeconds`; after one the
 * account has its tries again. So an attacker with any number of addresses
 * gets `points` guesses per lockout, ever further apart: with the defaults 5,
 * then 5 after 1 minute, 2, 4, ... and from the seventh lockout on 5 an hour.
 */
export async function spendAccountTries(
  attempts: RateLimiterAbstract,
  lockouts: RateLimiterAbstract,
  policy: AccountPolicy,
  key: string,
  tries: number,
): Promise<void> {
  try {
    await attempts.consume(key, tries);
    return;
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const before = rejection.consumedPoints - tries;
    if (before < policy.points) {
      await attempts.reward(key, tries).catch(() => undefined);
      throw refused(rejection.msBeforeNext);
    }
    // Locked out already (a lockout sets the count past the budget): the lockout's end is the answer.
    if (before > policy.points) throw refused(rejection.msBeforeNext);
    // Exactly spent before this operation: this is the first try past the budget, the one that locks.
    // consume is atomic (INCRBY), so of concurrent operations only one sees this count.
    const { consumedPoints: lockout } = await lockouts.consume(key, 1);
    const seconds = Math.min(policy.lockoutMaxSeconds, policy.lockoutSeconds * 2 ** Math.min(lockout - 1, 30));
    await attempts.block(key, seconds);
    throw refused(seconds * 1000);
  }
}

/** A logIn succeeded: the account's owner knows the password, so its tries and lockouts start over. */
export async function clearAccountTries(
  attempts: RateLimiterAbstract,
  lockouts: RateLimiterAbstract,
  key: string,
): Promise<void> {
  await Promise.all([attempts.delete(key), lockouts.delete(key)]);
}

function refused(msBeforeNext: number): RateLimitedError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new RateLimitedError(`${SIGN_IN_REFUSED}, retry in ${retryAfterSeconds} s`, retryAfterSeconds);
}
