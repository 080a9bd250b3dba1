/**
 * Whether placeOrder takes one more order. placeOrder is asynchronous: the
 * order is PENDING at once and its customer waits for PAID anyway, so a few
 * seconds of queueing in a burst cost nothing, while a refused order is a lost
 * sale. An order is refused only at real overload: when the orders already
 * waiting would take the saga longer than `maxDrainSeconds` to finish at the
 * rate it is finishing orders now.
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
 * what it can do now, not what the customers happen to ask of it.
 */
const SATURATED_SECONDS = 1;

/** Whether the saga is busy all the time, so that the rate it finishes orders at is what it can do now. */
export function saturated(sample: AdmissionSample): boolean {
  const now = sample.finishedPerSecond ?? 0;
  return now > 0 && sample.backlog >= now * SATURATED_SECONDS;
}

/**
 * The orders per second the backlog will be finished at. While the saga is
 * saturated, the rate it finishes orders at now (a slow payment provider, or
 * reads taking CPU, show up here as they are). Otherwise the measured rate
 * only says how many orders came, so what counts is the highest rate it
 * showed while saturated lately: a burst into a quiet shop, or a saga stalled
 * by an outage (nothing finishing; the outbox keeps the orders), is judged by
 * what the saga could do before. 0 when it never showed what it can do.
 */
export function drainRate(sample: AdmissionSample): number {
  return saturated(sample) ? (sample.finishedPerSecond ?? 0) : sample.peakPerSecond;
}

/** The backlog beyond which an order is refused. */
export function admissionLimit(sample: AdmissionSample, settings: AdmissionSettings): number {
  return Math.max(settings.burst, Math.floor(settings.maxDrainSeconds * drainRate(sample)));
}

/**
 * Whether one more order may enter. `admittedSince` counts this replica's own
 * admissions the sample has not seen yet (the sample is a moment; orders keep
 * coming). A refusal needs evidence that the backlog cannot be finished in
 * time: without a rate (the saga busy for less than a moment), or while the
 * saga has never shown what it can do (an outage in a shop that was never
 * busy: the measured rate is only its demand), nothing is refused.
 */
export function admits(sample: AdmissionSample, admittedSince: number, settings: AdmissionSettings): boolean {
  if (sample.finishedPerSecond === undefined || drainRate(sample) === 0) return true;
  return sample.backlog + admittedSince < admissionLimit(sample, settings);
}

/** How long the backlog would take to finish, in seconds (Infinity when nothing is known to finish). */
export function drainSeconds(sample: AdmissionSample): number {
  if (sample.backlog === 0) return 0;
  const rate = drainRate(sample);
  return rate > 0 ? sample.backlog / rate : Infinity;
}
