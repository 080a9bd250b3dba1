import { PermanentEventError, RetryLaterError } from './envelope';

export interface RetryPolicy {
  /**
   * How long after it was stored an event is still retried (ORDER_DEADLINE):
   * by then the saga has ended the order itself, so an event still failing is
   * one an operator has to look at.
   */
  windowMs: number;
  /** First redelivery delay after a fault; it doubles with each delivery, up to maxDelayMs. */
  baseDelayMs: number;
  /**
   * The same for a RetryLaterError: the event it waits for is usually handled
   * within milliseconds by another consumer, so the first retry comes sooner.
   */
  retryLaterBaseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, 'windowMs'> = {
  baseDelayMs: 500,
  retryLaterBaseDelayMs: 100,
  maxDelayMs: 10_000,
};

export type FailureOutcome = { kind: 'retry'; delayMs: number } | { kind: 'deadLetter'; reason: string };

/**
 * What becomes of a delivery that failed. An event that can never be handled
 * (malformed, a version its contract does not know, an order that does not
 * exist) goes to the dead letters at once. Any other fault (a database or
 * provider away, a timeout, NATS reconnecting, an event that waits for
 * another) is transient: it is retried with capped exponential backoff for
 * as long as the window allows, so an outage shorter than the order deadline
 * never makes a dead letter.
 */
export function onFailure(
  error: Error,
  delivery: { deliveries: number; ageMs: number },
  policy: RetryPolicy,
): FailureOutcome {
  if (error instanceof PermanentEventError) return { kind: 'deadLetter', reason: error.message };
  const base = error instanceof RetryLaterError ? policy.retryLaterBaseDelayMs : policy.baseDelayMs;
  // 2 ** 30 is far past any cap; the exponent is bounded so the product stays finite.
  const delayMs = Math.min(base * 2 ** Math.min(delivery.deliveries - 1, 30), policy.maxDelayMs);
  if (delivery.ageMs + delayMs > policy.windowMs) {
    const windowSeconds = Number((policy.windowMs / 1000).toFixed(1));
    return {
      kind: 'deadLetter',
      reason: `still failing after ${delivery.deliveries} deliveries in ${windowSeconds} s: ${error.message}`,
    };
  }
  return { kind: 'retry', delayMs };
}
