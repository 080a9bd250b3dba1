import type { OfferedOrder } from './orderOffer';
import { percentile, round } from './sagaFigures';
import type { SagaGauges } from './sagaGauges';
import type { OrderOutcome } from './SagaHistory';

/** One slice of a ramp: what was offered, taken, refused and PAID in it, and the saga's gauges at its end. */
export interface RampSlice {
  from_s: number;
  to_s: number;
  /** The rate the ramp's step asked for (0 once the offer stopped). */
  step_per_s: number;
  offered_per_s: number;
  accepted_per_s: number;
  refused_per_s: number;
  /** Orders PAID in the slice, per second (whenever they were placed). */
  completed_per_s: number;
  /** placeOrder -> PAID of the orders placed in the slice. */
  p99_ms: number;
  /** placeOrder calls sent and not yet answered at the slice's end: a queue the orders database does not see yet. */
  in_flight: number;
  /** The orders service's gauges, as last read before the slice ended (null: none read yet). */
  backlog: number | null;
  drain_seconds: number | null;
  admission_limit: number | null;
}

export interface TimelineInput {
  startedAt: number;
  sliceSeconds: number;
  steps: { ratePerSecond: number; seconds: number }[];
  orders: OfferedOrder[];
  outcomes: OrderOutcome[];
  gauges: SagaGauges[];
  /** Slices are cut until this moment (the offer's end or the last order's, whichever is later). */
  endAt: number;
}

/** Orders are put in the slice they were sent in; PAID orders in the slice they were PAID in. */
export function rampTimeline(input: TimelineInput): RampSlice[] {
  const sliceMs = input.sliceSeconds * 1000;
  const slices = Math.max(1, Math.ceil((input.endAt - input.startedAt) / sliceMs));
  const sliceOf = (at: number) => Math.floor((at - input.startedAt) / sliceMs);
  const byId = new Map(input.outcomes.map((outcome) => [outcome.id, outcome]));
  const timeline: RampSlice[] = [];
  for (let slice = 0; slice < slices; slice++) {
    const from = input.startedAt + slice * sliceMs;
    const sent = input.orders.filter((order) => sliceOf(order.sentAt) === slice);
    const accepted = sent.filter((order) => order.id);
    const paidInSlice = input.outcomes.filter((o) => o.paidAt !== undefined && sliceOf(o.paidAt) === slice);
    const latencies = accepted
      .map((order) => byId.get(order.id!))
      .flatMap((outcome) => (outcome?.paidAt !== undefined ? [outcome.paidAt - outcome.pendingAt] : []))
      .sort((a, b) => a - b);
    const to = from + sliceMs;
    const gauges = input.gauges.filter((sample) => sample.at <= to).at(-1);
    timeline.push({
      from_s: slice * input.sliceSeconds,
      to_s: (slice + 1) * input.sliceSeconds,
      step_per_s: stepAt(input.steps, slice * input.sliceSeconds),
      offered_per_s: round(sent.length / input.sliceSeconds),
      accepted_per_s: round(accepted.length / input.sliceSeconds),
      refused_per_s: round((sent.length - accepted.length) / input.sliceSeconds),
      completed_per_s: round(paidInSlice.length / input.sliceSeconds),
      p99_ms: percentile(latencies, 99),
      in_flight: input.orders.filter((order) => order.sentAt < to && order.answeredAt > to).length,
      backlog: gauges?.backlog ?? null,
      drain_seconds: gauges?.drain_seconds ?? null,
      admission_limit: gauges?.admission_limit ?? null,
    });
  }
  return timeline;
}

function stepAt(steps: { ratePerSecond: number; seconds: number }[], atSeconds: number): number {
  let end = 0;
  for (const step of steps) {
    end += step.seconds;
    if (atSeconds < end) return step.ratePerSecond;
  }
  return 0;
}
