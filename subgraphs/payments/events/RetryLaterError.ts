/**
 * Thrown by a handler when the event cannot be handled yet but will be once
 * something else happened (another event arrived, a charge finished): the
 * consumer naks it with a growing delay, like any transient fault.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}
