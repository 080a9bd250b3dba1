import { rampTimeline } from './rampTimeline';
import { parseSagaGauges } from './sagaGauges';

const T0 = 1_000_000;

describe('rampTimeline', () => {
  it("puts each order in the slice it was sent in and each PAID one in the slice it was PAID in, with the gauges read by the slice's end", () => {
    const timeline = rampTimeline({
      startedAt: T0,
      sliceSeconds: 1,
      steps: [
        { ratePerSecond: 2, seconds: 1 },
        { ratePerSecond: 3, seconds: 1 },
      ],
      orders: [
        { index: 0, customer: 0, sentAt: T0, answeredAt: T0 + 50, id: 'a' },
        { index: 1, customer: 1, sentAt: T0 + 500, answeredAt: T0 + 1_200, id: 'b' },
        { index: 2, customer: 0, sentAt: T0 + 1_000, answeredAt: T0 + 1_010, refusal: 'busy' },
        { index: 3, customer: 1, sentAt: T0 + 1_300, answeredAt: T0 + 1_400, id: 'c' },
        { index: 4, customer: 0, sentAt: T0 + 1_600, answeredAt: T0 + 1_610, refusal: 'busy' },
      ],
      outcomes: [
        { id: 'a', status: 'PAID', rejectionReason: null, pendingAt: T0 + 40, paidAt: T0 + 140, endedAt: T0 + 140 },
        {
          id: 'b',
          status: 'PAID',
          rejectionReason: null,
          pendingAt: T0 + 1_100,
          paidAt: T0 + 1_500,
          endedAt: T0 + 1_500,
        },
        {
          id: 'c',
          status: 'PAID',
          rejectionReason: null,
          pendingAt: T0 + 1_350,
          paidAt: T0 + 2_350,
          endedAt: T0 + 2_350,
        },
      ],
      gauges: [
        {
          at: T0 + 900,
          backlog: 1,
          drain_seconds: null,
          finished_per_second: 0,
          admission_limit: 200,
          refusals_total: 0,
        },
        {
          at: T0 + 1_900,
          backlog: 2,
          drain_seconds: 4,
          finished_per_second: 0.5,
          admission_limit: 5,
          refusals_total: 1,
        },
      ],
      endAt: T0 + 2_350,
    });
    expect(timeline).toEqual([
      {
        from_s: 0,
        to_s: 1,
        step_per_s: 2,
        offered_per_s: 2,
        accepted_per_s: 2,
        refused_per_s: 0,
        completed_per_s: 1,
        p99_ms: 400,
        in_flight: 1,
        backlog: 1,
        drain_seconds: null,
        admission_limit: 200,
      },
      {
        from_s: 1,
        to_s: 2,
        step_per_s: 3,
        offered_per_s: 3,
        accepted_per_s: 1,
        refused_per_s: 2,
        completed_per_s: 1,
        p99_ms: 1_000,
        in_flight: 0,
        backlog: 2,
        drain_seconds: 4,
        admission_limit: 5,
      },
      {
        from_s: 2,
        to_s: 3,
        step_per_s: 0,
        offered_per_s: 0,
        accepted_per_s: 0,
        refused_per_s: 0,
        completed_per_s: 1,
        p99_ms: 0,
        in_flight: 0,
        backlog: 2,
        drain_seconds: 4,
        admission_limit: 5,
      },
    ]);
  });
});

describe('parseSagaGauges', () => {
  it("reads admission control's gauges from /metrics, a drain time of never as unknown", () => {
    const text = [
      '# HELP orders_saga_backlog Orders not yet PAID, REJECTED or CANCELLED',
      '# TYPE orders_saga_backlog gauge',
      'orders_saga_backlog{service="orders"} 1234',
      'orders_saga_backlog_other 7',
      'orders_saga_finished_per_second 61.25',
      'orders_saga_drain_seconds +Inf',
      'orders_admission_limit 612',
      'orders_admission_refusals_total 9',
    ].join('\n');
    expect(parseSagaGauges(text, 5)).toEqual({
      at: 5,
      backlog: 1234,
      drain_seconds: null,
      finished_per_second: 61.3,
      admission_limit: 612,
      refusals_total: 9,
    });
    // A limit that refuses nothing (the capacity not known yet) is no number either.
    expect(parseSagaGauges(text.replace('orders_admission_limit 612', 'orders_admission_limit +Inf'), 5)).toMatchObject(
      {
        admission_limit: null,
      },
    );
  });
});
