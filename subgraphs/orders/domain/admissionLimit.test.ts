import {
  admissionLimit,
  admits,
  drainRate,
  drainSeconds,
  IDLE_SAMPLE,
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

  it('refuses only once the backlog would take longer than the bound at the rate the busy saga finishes orders now', () => {
    // Saturated at 40 orders/s: 60 s of work is 2,400 orders.
    const busy = sample({ backlog: 2_399, finishedPerSecond: 40, peakPerSecond: 90 });
    expect(drainRate(busy)).toBe(40);
    expect(admissionLimit(busy, settings)).toBe(2_400);
    expect(admits(busy, 0, settings)).toBe(true);
    // The orders this replica let in since the sample count too.
    expect(admits(busy, 1, settings)).toBe(false);
    expect(admits({ ...busy, backlog: 3_000 }, 0, settings)).toBe(false);
    expect(drainSeconds({ ...busy, backlog: 3_000 })).toBe(75);
  });

  it('judges a saga that is not saturated by the highest rate it showed: its measured rate is only the demand', () => {
    // 20 waiting, 50 finishing per second: less than a second of work, the saga has room.
    const light = sample({ backlog: 20, finishedPerSecond: 50, peakPerSecond: 80 });
    expect(drainRate(light)).toBe(80);
    expect(admissionLimit(light, settings)).toBe(4_800);
  });

  it('takes orders while nothing finishes (an outage), up to what the saga could finish in time once it is back', () => {
    const stalled = sample({ backlog: 3_000, oldestMs: 20_000, finishedPerSecond: 0, peakPerSecond: 70 });
    expect(admits(stalled, 0, settings)).toBe(true);
    expect(admits({ ...stalled, backlog: 4_200 }, 0, settings)).toBe(false);
    expect(drainSeconds(stalled)).toBeCloseTo(42.9, 1);
  });

  it('takes every order in an outage of a shop that was never busy: its rate so far was only its demand', () => {
    // 6 orders/s, finished as they come: never saturated, so nothing is known of what the saga can do.
    const quiet = sample({ backlog: 1, finishedPerSecond: 6 });
    expect(admits(quiet, 0, settings)).toBe(true);
    const stalled = sample({ backlog: 5_000, oldestMs: 60_000, finishedPerSecond: 0 });
    expect(drainRate(stalled)).toBe(0);
    expect(admits(stalled, 0, settings)).toBe(true);
    expect(drainSeconds(stalled)).toBe(Infinity);
    expect(drainSeconds(IDLE_SAMPLE)).toBe(0);
  });

  it('always takes the burst, even from a saga that is saturated at a crawl', () => {
    // 2 orders/s: 60 s of work is 120 orders, below the burst.
    const crawling = sample({ backlog: 199, finishedPerSecond: 2 });
    expect(admissionLimit(crawling, settings)).toBe(200);
    expect(admits(crawling, 0, settings)).toBe(true);
    expect(admits({ ...crawling, backlog: 200 }, 0, settings)).toBe(false);
  });
});
