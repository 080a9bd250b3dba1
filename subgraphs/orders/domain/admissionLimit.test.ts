import {
  admits,
  IDLE_SAMPLE,
  MIN_LIMIT,
  nextLimit,
  type AdmissionSample,
  type AdmissionSettings,
} from './admissionLimit';

const settings: AdmissionSettings = { targetMs: 1_000, burst: 50, maxLimit: 1_000 };
const sample = (s: Partial<AdmissionSample>): AdmissionSample => ({ ...IDLE_SAMPLE, ...s });
const finishing = { finishedPerSecond: 30, latencySamples: 30, baselineMs: 200 };

describe('the saga admission limit', () => {
  it('drops in proportion when orders queue: slower than half the target and than the saga without a queue', () => {
    // 750 ms against an acceptable 500: to two thirds.
    expect(nextLimit(90, sample({ backlog: 90, ...finishing, latencyMs: 750 }), settings)).toBe(60);
    // To half at most per sample, never below the floor.
    expect(nextLimit(90, sample({ backlog: 90, ...finishing, latencyMs: 5_000 }), settings)).toBe(45);
    expect(nextLimit(3, sample({ backlog: 60, ...finishing, latencyMs: 5_000 }), settings)).toBe(MIN_LIMIT);
  });

  it('cuts only a limit the backlog is at: slow orders finishing from a queue already gone leave it alone', () => {
    // A cold start: the first orders took over a second, but the backlog has drained since.
    const drained = sample({ backlog: 7, oldestMs: 300, ...finishing, latencyMs: 1_200 });
    expect(nextLimit(38, drained, settings)).toBe(38);
    expect(admits(38, drained, 0, settings)).toBe(true);
    // A queue that stands below the limit (its oldest order late) is cut all the same.
    expect(nextLimit(500, sample({ backlog: 370, oldestMs: 3_700, ...finishing, latencyMs: 3_700 }), settings)).toBe(
      250,
    );
    // At the limit, the same latency cuts it; orders still being placed count.
    expect(nextLimit(38, { ...drained, backlog: 30 }, settings)).toBe(19);
    expect(nextLimit(38, drained, settings, 23)).toBe(19);
  });

  it('does not refuse for a saga that is slow by itself: its own latency is no queue', () => {
    // A payment provider taking 600 ms: every order takes that long, however few are let in.
    const slowStep = sample({ backlog: 40, ...finishing, baselineMs: 600, latencyMs: 620 });
    expect(nextLimit(50, slowStep, settings)).toBe(53);
    expect(admits(53, slowStep, 0, settings)).toBe(true);
    // But queueing on top of it still counts.
    expect(nextLimit(50, { ...slowStep, latencyMs: 1_800 }, settings)).toBe(25);
  });

  it('takes a few slow orders for no evidence: at low traffic one slow order shrinks nothing', () => {
    const few = sample({ backlog: 4, oldestMs: 3_000, finishedPerSecond: 2, latencySamples: 2, latencyMs: 2_000 });
    expect(nextLimit(50, few, settings)).toBe(50);
  });

  it('does not take a stuck order for a slow saga: only the latency of finished orders counts', () => {
    const stuck = sample({ backlog: 5, oldestMs: 20_000, ...finishing, latencyMs: 120 });
    expect(nextLimit(50, stuck, settings)).toBe(50);
    expect(admits(50, stuck, 0, settings)).toBe(true);
  });

  it('keeps the limit while nothing finishes at all (an outage, not overload), and lets orders in', () => {
    const outage = sample({ backlog: 500, oldestMs: 30_000 });
    expect(nextLimit(100, outage, settings)).toBe(100);
    expect(admits(100, outage, 0, settings)).toBe(true);
  });

  it('rises by a twentieth while the limit is reached and orders finish quickly, up to the ceiling', () => {
    expect(nextLimit(100, sample({ backlog: 80, ...finishing, latencyMs: 200 }), settings)).toBe(105);
    expect(nextLimit(1_000, sample({ backlog: 1_000, ...finishing, latencyMs: 100 }), settings)).toBe(1_000);
    // Between relaxed and acceptable it holds.
    expect(nextLimit(100, sample({ backlog: 100, ...finishing, latencyMs: 400 }), settings)).toBe(100);
    // Not reached: no reason to move, but back towards the burst when below it.
    expect(nextLimit(100, sample({ backlog: 10, ...finishing, latencyMs: 100 }), settings)).toBe(100);
    expect(nextLimit(10, sample({ backlog: 10, ...finishing, latencyMs: 100 }), settings)).toBe(11);
  });

  it('with nothing to go by, returns towards the burst only, a stuck order or not', () => {
    expect(nextLimit(60, sample({ backlog: 60, oldestMs: 100 }), settings)).toBe(60);
    expect(nextLimit(30, sample({ backlog: 2, oldestMs: 20_000, finishedPerSecond: 5 }), settings)).toBe(32);
    expect(nextLimit(49, sample({}), settings)).toBe(50);
    expect(nextLimit(50, sample({}), settings)).toBe(50);
  });

  it('admits while the backlog plus what was admitted since the sample stays under the limit', () => {
    const busy = sample({ backlog: 18, oldestMs: 300, ...finishing, latencyMs: 200 });
    expect(admits(20, busy, 1, settings)).toBe(true);
    expect(admits(20, busy, 2, settings)).toBe(false);
  });
});
