/**
 * Whether placeOrder takes one more order. placeOrder is asynchronous: the
 * order is PENDING at once and its customer waits for PAID anyway, so a few
 * seconds of queueing in a burst cost nothing, while a refused order is a lost
 * sale. An order is refused only at real overload: when the orders already
 * waiting would take the saga longer than `maxDrainSeconds` to finish at the
 * rate it has shown it can finish them (see capacity).
 */
export interface AdmissionSample {
  /** Unfinished orders (PENDING or RESERVED), all replicas together. */
  backlog: number;
  /** Age of the oldest of them, in ms (0 when there are none). */
  oldestMs: number;
  /**
   * Orders that reached an end state per second, all replicas together,
   * measured over the time the saga has been busy (at most the rate window);
   * undefined until it has been busy long enough to tell.
   */
  finishedPerSecond?: number;
  /**
   * The highest rate of the last minutes measured while the saga was
   * saturated: what it has shown it can do (0: it has not been busy enough to tell).
   */
  peakPerSecond: number;
}

/** Before the first sample: nothing waiting, nothing known. */
export const IDLE_SAMPLE: Readonly<AdmissionSample> = { backlog: 0, oldestMs: 0, peakPerSecond: 0 };

export interface AdmissionSettings {
  /** How long the backlog may take to finish; beyond it orders are refused. */
  maxDrainSeconds: number;
  /** Orders always taken at once, whatever the rate (a cold saga has shown none yet). */
  burst: number;
}

/**
 * A backlog that takes at least this long to finish at the measured rate
 * means the saga is busy all the time: the rate it finishes orders at is then
 * what it can do, not what the customers happen to ask of it.
 */
const SATURATED_SECONDS = 1;

/** Whether the saga is busy all the time, so that the rate it finishes orders at is what it can do. */
export function saturated(sample: AdmissionSample): boolean {
  const now = sample.finishedPerSecond ?? 0;
  return now > 0 && sample.backlog >= now * SATURATED_SECONDS;
}

/**
 * The orders per second the backlog will be finished at: the highest rate
 * the saga showed while saturated lately, the current one included. A rate
 * measured while it is not saturated only says how many orders came; one
 * held down for a while by an outage, a slow dependency or reads competing
 * for the CPU says what the saga does once that is over only as well as its
 * best of the last minutes does, and refusing customers on a guess is the
 * worse mistake (their orders wait instead; the order deadline bounds that).
 * 0 when it has not shown what it can do.
 */
export function capacity(sample: AdmissionSample): number {
  return sample.peakPerSecond;
}

/** The backlog beyond which an order is refused (Infinity while the capacity is unknown). */
export function admissionLimit(sample: AdmissionSample, settings: AdmissionSettings): number {
  if (sample.finishedPerSecond === undefined || capacity(sample) === 0) return Infinity;
  return Math.max(settings.burst, Math.floor(settings.maxDrainSeconds * capacity(sample)));
}

/**
 * Whether one more order may enter. `admittedSince` counts this replica's own
 * admissions the sample has not seen yet (the sample is a moment; orders keep
 * coming). A refusal needs evidence that the backlog cannot be finished in
 * time: without a rate (the saga busy for less than a moment), or while the
 * saga has not shown what it can do (a shop that was never busy lately: what
 * it finished was only its demand), nothing is refused.
 */
export function admits(sample: AdmissionSample, admittedSince: number, settings: AdmissionSettings): boolean {
  return sample.backlog + admittedSince < admissionLimit(sample, settings);
}

/** How long the backlog would take to finish, in seconds, at the best rate known (Infinity: none). */
export function drainSeconds(sample: AdmissionSample): number {
  if (sample.backlog === 0) return 0;
  const rate = Math.max(capacity(sample), sample.finishedPerSecond ?? 0);
  return rate > 0 ? sample.backlog / rate : Infinity;
}
