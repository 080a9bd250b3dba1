import { admits, MIN_LIMIT, nextLimit, type AdmissionSample, type AdmissionSettings } from './admissionLimit';

const settings: AdmissionSettings = { targetMs: 1_000, burst: 50, maxLimit: 1_000 };
const sample = (s: Partial<AdmissionSample>): AdmissionSample => ({
  backlog: 0,
  oldestMs: 0,
  finishedPerSecond: 0,
  latencySamples: 0,
  latencyMs: 0,
  ...s,
});

describe('the saga admission limit', () => {
  it('drops to what the saga finishes in half the target when finished orders took longer', () => {
    // 30 orders a second finish, after 2 s each: at 500 ms the backlog would be 15.
    const slow = sample({ backlog: 60, oldestMs: 2_500, finishedPerSecond: 30, latencySamples: 30, latencyMs: 2_000 });
    expect(nextLimit(300, slow, settings)).toBe(15);
    // Never up while slow, never below the floor.
    expect(nextLimit(10, slow, settings)).toBe(10);
    expect(nextLimit(300, { ...slow, finishedPerSecond: 1 }, settings)).toBe(MIN_LIMIT);
  });

  it('takes a few slow orders for no evidence: at low traffic one slow order shrinks nothing', () => {
    const few = sample({ backlog: 4, oldestMs: 3_000, finishedPerSecond: 2, latencySamples: 2, latencyMs: 2_000 });
    expect(nextLimit(50, few, settings)).toBe(50);
  });

  it('holds when finished orders were slow but nothing queues (a slow step, not too many orders)', () => {
    const slowStep = sample({ backlog: 10, oldestMs: 900, finishedPerSecond: 30, latencySamples: 30, latencyMs: 900 });
    expect(nextLimit(50, slowStep, settings)).toBe(50);
  });

  it('does not take a stuck order for a slow saga: only the latency of finished orders counts', () => {
    const stuck = sample({ backlog: 5, oldestMs: 20_000, finishedPerSecond: 30, latencySamples: 30, latencyMs: 120 });
    expect(nextLimit(50, stuck, settings)).toBe(50);
    expect(admits(50, stuck, 0, settings)).toBe(true);
  });

  it('keeps the limit while nothing finishes at all (an outage, not overload), and lets orders in', () => {
    const outage = sample({ backlog: 500, oldestMs: 30_000 });
    expect(nextLimit(100, outage, settings)).toBe(100);
    expect(admits(100, outage, 0, settings)).toBe(true);
  });

  it('rises by a twentieth while the limit is reached and orders finish quickly, up to the ceiling', () => {
    const quick = { finishedPerSecond: 30, latencySamples: 30, latencyMs: 200 };
    expect(nextLimit(100, sample({ backlog: 80, ...quick }), settings)).toBe(105);
    // Nothing finished lately: back towards the burst only, a stuck order or not.
    expect(nextLimit(60, sample({ backlog: 60, oldestMs: 100 }), settings)).toBe(60);
    expect(nextLimit(30, sample({ backlog: 2, oldestMs: 20_000, finishedPerSecond: 5 }), settings)).toBe(32);
    expect(nextLimit(49, sample({}), settings)).toBe(50);
    expect(nextLimit(1_000, sample({ backlog: 1_000, ...quick }), settings)).toBe(1_000);
    // Between a quarter and half the target it holds.
    expect(nextLimit(100, sample({ backlog: 100, ...quick, latencyMs: 400 }), settings)).toBe(100);
    // Not reached: no reason to move, but back towards the burst when below it.
    expect(nextLimit(100, sample({ backlog: 10, ...quick }), settings)).toBe(100);
    expect(nextLimit(10, sample({}), settings)).toBe(11);
    expect(nextLimit(50, sample({}), settings)).toBe(50);
  });

  it('admits while the backlog plus what was admitted since the sample stays under the limit', () => {
    const busy = sample({ backlog: 18, oldestMs: 300, finishedPerSecond: 30, latencySamples: 10, latencyMs: 200 });
    expect(admits(20, busy, 1, settings)).toBe(true);
    expect(admits(20, busy, 2, settings)).toBe(false);
  });
});
