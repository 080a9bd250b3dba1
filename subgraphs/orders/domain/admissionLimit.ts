/**
 * How many orders may be in the saga at once (PENDING or RESERVED), adapted
 * to how fast the saga finishes them, so that an accepted order is PAID
 * within the target latency even when more are offered than the services can
 * handle: the excess is refused at placeOrder (fast, retryable) instead of
 * queueing up behind the others until everybody waits for seconds.
 *
 * The signal is the latency of the orders that just finished: an order that
 * is stuck (its event dead-lettered) never finishes, so it cannot make a
 * healthy saga look slow; only the backlog it sits in counts it.
 */
export interface AdmissionSample {
  /** Unfinished orders (placed recently: one stuck for long is not load). */
  backlog: number;
  /** Age of the oldest of them, in ms (0 when there are none). */
  oldestMs: number;
  /** Orders that reached an end state in the last second, all replicas together: the saga's rate. */
  finishedPerSecond: number;
  /** How many of them this replica finished, which tell the latency below. */
  latencySamples: number;
  /** Their placeOrder -> end state latency, 90th percentile, in ms (0 when there are none). */
  latencyMs: number;
  /**
   * The lowest such latency of the last minutes: what the saga takes without
   * a queue (a slow payment provider makes it high, and refusing orders would not lower it).
   */
  baselineMs: number;
}

/** Before the first sample: nothing waiting, nothing known. */
export const IDLE_SAMPLE: Readonly<AdmissionSample> = {
  backlog: 0,
  oldestMs: 0,
  finishedPerSecond: 0,
  latencySamples: 0,
  latencyMs: 0,
  baselineMs: 0,
};

export interface AdmissionSettings {
  /** placeOrder -> end state latency to stay under. */
  targetMs: number;
  /**
   * The limit of an idle saga, before any lag was seen: a burst this large is
   * taken at once. Lag takes the limit below it; it comes back once the saga is quick again.
   */
  burst: number;
  maxLimit: number;
}

/** Some orders always get in, however far behind the saga is. */
export const MIN_LIMIT = 2;

/** The backlog is at the limit from this share of it on: the limit is what holds orders back. */
const REACHED = 0.75;

/** Finished orders it takes to call the saga slow: one slow order is not overload. */
export const MIN_SLOW_EVIDENCE = 5;

/**
 * The next limit after a sample. Orders that took longer than half the
 * target, and half as long again as the saga takes without a queue, were
 * slowed down by the orders ahead of them: too many were let in, and the
 * limit drops in proportion (to half at most per sample), as gradient
 * controllers do, provided the backlog is at the limit or its oldest order
 * is late already. While they take
 * less than a quarter of the target (or hardly more than the baseline), the
 * limit rises by a twentieth per sample when it was reached (to find the
 * capacity), or back towards the burst. In between it holds: latency shows
 * overload late, so a limit that rose fast would overshoot every time. With fewer than a handful of orders finished
 * lately there is nothing to go by: it only returns towards the burst (an
 * idle shop takes a burst again; a stuck order does not stop that).
 *
 * `admittedSince` is as in admits: orders let in and in no sample yet.
 *
 * Nothing finishing at all is an outage (NATS or a service away), not
 * overload: the limit is kept, and orders are taken (the outbox keeps them),
 * see admits.
 */
export function nextLimit(
  limit: number,
  sample: AdmissionSample,
  settings: AdmissionSettings,
  admittedSince = 0,
): number {
  const wantedMs = settings.targetMs / 2;
  const grown = clamp(limit + Math.max(1, Math.ceil(limit / 20)), settings);
  if (sample.latencySamples < MIN_SLOW_EVIDENCE)
    return limit < settings.burst ? Math.min(grown, settings.burst) : limit;
  const reached = sample.backlog + admittedSince >= limit * REACHED;
  const acceptableMs = Math.max(wantedMs, 1.5 * sample.baselineMs);
  if (sample.latencyMs > acceptableMs) {
    // Orders finishing slowly while the backlog is well below the limit, and its oldest order young,
    // come from a queue already gone (they were placed a round trip ago): cutting on them would take
    // the limit to the floor after every spike, such as a cold start, and refuse orders at low load.
    // A queue still standing (its oldest order already late) is cut, however far below the limit.
    const standing = sample.oldestMs > acceptableMs;
    if (!reached && !standing) return limit;
    return clamp(Math.floor(limit * Math.max(0.5, acceptableMs / sample.latencyMs)), settings);
  }
  const relaxedMs = Math.max(wantedMs / 2, 1.2 * sample.baselineMs);
  return sample.latencyMs < relaxedMs && (reached || limit < settings.burst) ? grown : limit;
}

/**
 * Whether one more order may enter. `admittedSince` counts this service's own
 * admissions since the sample (the sample is a moment; orders keep coming).
 */
export function admits(
  limit: number,
  sample: AdmissionSample,
  admittedSince: number,
  settings: AdmissionSettings,
): boolean {
  const stalled = sample.finishedPerSecond === 0 && sample.oldestMs > settings.targetMs;
  return stalled || sample.backlog + admittedSince < limit;
}

function clamp(limit: number, settings: AdmissionSettings): number {
  return Math.min(settings.maxLimit, Math.max(MIN_LIMIT, limit));
}
