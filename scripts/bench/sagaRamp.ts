import { acceptedIds, offerOrders, rampOf, refusalsOf, type OfferedOrder, type OrderTarget } from './orderOffer';
import { rampTimeline, type RampSlice } from './rampTimeline';
import { latencyFigures, round, type LatencyFigures } from './sagaFigures';
import { readSagaGauges, sampleSagaGauges, type SagaGauges } from './sagaGauges';
import type { SagaHistory } from './SagaHistory';

export interface RampSpec {
  steps: { ratePerSecond: number; seconds: number }[];
  sliceSeconds: number;
  /** SAGA_MAX_DRAIN_SECONDS the orders service runs with in this scenario (reported, set by the caller). */
  maxDrainSeconds: number;
  /**
   * More settings of the scenario's services (reported, set by the caller): a slow payment provider
   * makes the saga, not placeOrder's own CPU, what limits the shop, so its backlog shows the knee.
   */
  servicesEnv: Record<string, string>;
}

export interface RampResult extends LatencyFigures {
  steps: RampSpec['steps'];
  slice_seconds: number;
  max_drain_seconds: number;
  services_env: Record<string, string>;
  offered: number;
  accepted: number;
  refused: number;
  refusals: Record<string, number>;
  /**
   * Refusals counted by the orders service (orders_admission_refusals_total);
   * the others were answered by the gateway's adaptive throttle, with the orders service's refusal.
   */
  refused_by_orders_service: number;
  /** When placeOrder first refused (s after the ramp began), why, and the saga's gauges read right then. */
  first_refusal: FirstRefusal | null;
  peak_backlog: number;
  /** From the last order offered until the last accepted one ended (null: some never did within the wait). */
  drained_after_s: number | null;
  /** Accepted orders that reached PAID, REJECTED or CANCELLED. */
  ended: number;
  unfinished: number;
  /** Orders the orders database holds from the ramp: equal to `accepted` when none was lost or placed unseen. */
  placed_in_database: number;
  timeline: RampSlice[];
}

export interface FirstRefusal {
  at_s: number;
  cause: string;
  backlog: number | null;
  drain_seconds: number | null;
  finished_per_second: number | null;
  admission_limit: number | null;
}

const GAUGE_INTERVAL_MS = 500;

/**
 * The offered rate rises step by step past what the saga can finish, to find
 * the knee: where the backlog starts to grow, when placeOrder first refuses
 * (the backlog past SAGA_MAX_DRAIN_SECONDS x the finishing rate), and, once
 * the offer stops, how long the backlog takes to drain and whether every
 * accepted order ended.
 */
export async function runSagaRamp(
  target: OrderTarget,
  history: SagaHistory,
  ordersBaseUrl: string,
  spec: RampSpec,
  settleSeconds: number,
): Promise<RampResult> {
  const before = await readSagaGauges(ordersBaseUrl);
  const gauges = sampleSagaGauges(ordersBaseUrl, GAUGE_INTERVAL_MS);
  // The gauges right when placeOrder first refuses: the backlog admission control refused at.
  let firstRefused: { order: OfferedOrder; gauges: Promise<SagaGauges | undefined> } | undefined;
  const offer = await offerOrders(target, rampOf(spec.steps), {
    logRefusals: true,
    onAnswer: (order) => {
      if (order.refusal && !firstRefused) {
        firstRefused = { order, gauges: readSagaGauges(ordersBaseUrl).catch(() => undefined) };
      }
    },
  });
  const offerEnd = offer.startedAt + offer.offeredSeconds * 1000;
  const ids = acceptedIds(offer.orders);
  const unfinished = await history.waitUntilEnded(ids, settleSeconds);
  const samples = await gauges.stop();
  const after = await readSagaGauges(ordersBaseUrl);
  const outcomes = await history.outcomes(ids);
  const lastEnded = Math.max(offerEnd, ...outcomes.flatMap((o) => (o.endedAt ? [o.endedAt] : [])));
  const { refused, refusals } = refusalsOf(offer.orders);
  return {
    steps: spec.steps,
    slice_seconds: spec.sliceSeconds,
    max_drain_seconds: spec.maxDrainSeconds,
    services_env: spec.servicesEnv,
    offered: offer.orders.length,
    accepted: ids.length,
    refused,
    refusals,
    refused_by_orders_service: after.refusals_total - before.refusals_total,
    first_refusal: firstRefused ? await firstRefusalOf(firstRefused, offer.startedAt) : null,
    peak_backlog: Math.max(0, ...samples.map((sample) => sample.backlog)),
    drained_after_s: unfinished === 0 ? round((lastEnded - offerEnd) / 1000) : null,
    ended: outcomes.filter((o) => o.endedAt !== undefined).length,
    unfinished,
    placed_in_database: await history.placedSince(offer.startedAt),
    ...latencyFigures(outcomes),
    timeline: rampTimeline({
      startedAt: offer.startedAt,
      sliceSeconds: spec.sliceSeconds,
      steps: spec.steps,
      orders: offer.orders,
      outcomes,
      gauges: samples,
      endAt: lastEnded,
    }),
  };
}

async function firstRefusalOf(
  first: { order: OfferedOrder; gauges: Promise<SagaGauges | undefined> },
  startedAt: number,
): Promise<FirstRefusal> {
  const gauges = await first.gauges;
  return {
    at_s: round((first.order.answeredAt - startedAt) / 1000),
    cause: first.order.refusal!,
    backlog: gauges?.backlog ?? null,
    drain_seconds: gauges?.drain_seconds ?? null,
    finished_per_second: gauges?.finished_per_second ?? null,
    admission_limit: gauges?.admission_limit ?? null,
  };
}
