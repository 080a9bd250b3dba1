import { PermanentEventError, RetryLaterError } from './envelope';
import { DEFAULT_RETRY_POLICY, onFailure, type FailureOutcome, type RetryPolicy } from './retrySchedule';

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, windowMs: 15 * 60_000 };

/** Every delivery of an event that fails until its window is spent: when each came, and how it ended. */
function schedule(error: Error): { deliveriesAtMs: number[]; end: FailureOutcome } {
  const deliveriesAtMs = [0];
  for (;;) {
    const ageMs = deliveriesAtMs[deliveriesAtMs.length - 1];
    const outcome = onFailure(error, { deliveries: deliveriesAtMs.length, ageMs }, policy);
    if (outcome.kind === 'deadLetter') return { deliveriesAtMs, end: outcome };
    deliveriesAtMs.push(ageMs + outcome.delayMs);
  }
}

describe('the retry schedule', () => {
  it('dead-letters an event that can never be handled at its first delivery', () => {
    expect(
      onFailure(
        new PermanentEventError('orders.placed v9 is not orders.placed v1'),
        { deliveries: 1, ageMs: 3 },
        policy,
      ),
    ).toEqual({
      kind: 'deadLetter',
      reason: 'orders.placed v9 is not orders.placed v1',
    });
  });

  it('retries a transient fault after 0.5, 1, 2, 4, 8 s, then every 10 s, for the whole order deadline', () => {
    const { deliveriesAtMs, end } = schedule(new Error('connect ECONNREFUSED'));
    const gaps = deliveriesAtMs.slice(1).map((at, i) => at - deliveriesAtMs[i]);
    expect(gaps.slice(0, 7)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(deliveriesAtMs).toHaveLength(94);
    // The last retry comes within 10 s of the deadline; none after it.
    expect(deliveriesAtMs[deliveriesAtMs.length - 1]).toBeGreaterThan(policy.windowMs - 10_000);
    expect(deliveriesAtMs[deliveriesAtMs.length - 1]).toBeLessThanOrEqual(policy.windowMs);
    expect(end).toEqual({
      kind: 'deadLetter',
      reason: 'still failing after 94 deliveries in 900 s: connect ECONNREFUSED',
    });
  });

  it('retries an event that waits for another one sooner at first: 0.1, 0.2, 0.4 ... 6.4 s, then every 10 s', () => {
    const { deliveriesAtMs } = schedule(new RetryLaterError('payment before reservation'));
    const gaps = deliveriesAtMs.slice(1).map((at, i) => at - deliveriesAtMs[i]);
    expect(gaps.slice(0, 9)).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000]);
    expect(deliveriesAtMs).toHaveLength(96);
  });
});
