import {
  admissionLimit,
  admits,
  capacity,
  drainSeconds,
  IDLE_SAMPLE,
  saturated,
  type AdmissionSample,
  type AdmissionSettings,
} from './admissionLimit';

const settings: AdmissionSettings = { maxDrainSeconds: 60, burst: 200 };
const sample = (s: Partial<AdmissionSample>): AdmissionSample => ({ ...IDLE_SAMPLE, ...s });

describe('placeOrder admission by drain time', () => {
  it('takes a burst into a quiet shop whatever its size: without a measured rate nothing is refused', () => {
    expect(admits(sample({ backlog: 5_000 }), 0, settings)).toBe(true);
    expect(admits(sample({ backlog: 5_000, peakPerSecond: 1 }), 500, settings)).toBe(true);
  });

  it('refuses only once the backlog would take longer than the bound at the rate the saga showed it can finish', () => {
    // Saturated at 40 orders/s (the best of the last minutes, this sample included): 60 s of work is 2,400 orders.
    const busy = sample({ backlog: 2_399, finishedPerSecond: 40, peakPerSecond: 40 });
    expect(saturated(busy)).toBe(true);
    expect(admissionLimit(busy, settings)).toBe(2_400);
    expect(admits(busy, 0, settings)).toBe(true);
    // The orders this replica let in since the sample count too.
    expect(admits(busy, 1, settings)).toBe(false);
    expect(admits({ ...busy, backlog: 3_000 }, 0, settings)).toBe(false);
    expect(drainSeconds({ ...busy, backlog: 3_000 })).toBe(75);
  });

  it('judges a saga held down for a while (reads taking the CPU, a slow dependency) by its best rate of the last minutes', () => {
    const heldDown = sample({ backlog: 3_000, finishedPerSecond: 10, peakPerSecond: 70 });
    expect(saturated(heldDown)).toBe(true);
    expect(capacity(heldDown)).toBe(70);
    expect(admits(heldDown, 0, settings)).toBe(true);
    expect(admits({ ...heldDown, backlog: 4_200 }, 0, settings)).toBe(false);
    expect(drainSeconds(heldDown)).toBeCloseTo(42.9, 1);
  });

  it('takes orders while nothing finishes (an outage), up to what the saga could finish in time once it is back', () => {
    const stalled = sample({ backlog: 3_000, oldestMs: 20_000, finishedPerSecond: 0, peakPerSecond: 70 });
    expect(saturated(stalled)).toBe(false);
    expect(admits(stalled, 0, settings)).toBe(true);
    expect(admits({ ...stalled, backlog: 4_200 }, 0, settings)).toBe(false);
  });

  it('takes every order in an outage of a shop that was never busy: what it finished so far was only its demand', () => {
    // 6 orders/s, finished as they come: never saturated, so nothing is known of what the saga can do.
    const quiet = sample({ backlog: 1, finishedPerSecond: 6 });
    expect(saturated(quiet)).toBe(false);
    expect(admits(quiet, 0, settings)).toBe(true);
    // Its drain time is still told from what it finishes.
    expect(drainSeconds(quiet)).toBeCloseTo(0.17, 2);
    const stalled = sample({ backlog: 5_000, oldestMs: 60_000, finishedPerSecond: 0 });
    expect(admissionLimit(stalled, settings)).toBe(Infinity);
    expect(admits(stalled, 0, settings)).toBe(true);
    expect(drainSeconds(stalled)).toBe(Infinity);
    expect(drainSeconds(IDLE_SAMPLE)).toBe(0);
  });

  it('always takes the burst, even from a saga that has only ever been saturated at a crawl', () => {
    // 2 orders/s: 60 s of work is 120 orders, below the burst.
    const crawling = sample({ backlog: 199, finishedPerSecond: 2, peakPerSecond: 2 });
    expect(admissionLimit(crawling, settings)).toBe(200);
    expect(admits(crawling, 0, settings)).toBe(true);
    expect(admits({ ...crawling, backlog: 200 }, 0, settings)).toBe(false);
  });
});
