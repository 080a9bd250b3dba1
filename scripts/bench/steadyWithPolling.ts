import { followLatestOrders, type ReadFigures } from './followOrders';
import { acceptedIds, offerOrders, refusalsOf, steadyRate, type OrderTarget } from './orderOffer';
import { latencyFigures, round, type LatencyFigures } from './sagaFigures';
import type { SagaHistory } from './SagaHistory';

export interface SteadySpec {
  ratePerSecond: number;
  seconds: number;
  customers: number;
  pollIntervalMs: number;
}

export interface SteadyResult extends LatencyFigures, ReadFigures {
  offered_per_s: number;
  seconds: number;
  customers: number;
  poll_interval_ms: number;
  accepted: number;
  refused: number;
  refusals: Record<string, number>;
  unfinished: number;
}

/**
 * Orders at a steady rate from a few customers, each following its latest
 * order by reading it every `pollIntervalMs` while the orders come: what the
 * saga does when the shop's front ends poll, and what the polling gets.
 */
export async function runSteadyWithPolling(
  target: OrderTarget,
  history: SagaHistory,
  spec: SteadySpec,
  settleSeconds: number,
): Promise<SteadyResult> {
  const customers = { ...target, tokens: target.tokens.slice(0, spec.customers) };
  if (customers.tokens.length < spec.customers)
    throw new Error(`steady: ${spec.customers} customers need as many tokens`);
  const latest: ({ id: string; index: number } | undefined)[] = [];
  const following = followLatestOrders(customers, spec.pollIntervalMs, (customer) => latest[customer]?.id);
  const offer = await offerOrders(customers, steadyRate(spec.ratePerSecond, spec.seconds), {
    logRefusals: true,
    // Answers can come out of order: the latest order is the one placed last.
    onAnswer: (order) => {
      if (order.id && (latest[order.customer]?.index ?? -1) < order.index) {
        latest[order.customer] = { id: order.id, index: order.index };
      }
    },
  });
  const reads = await following.stop();
  const ids = acceptedIds(offer.orders);
  const unfinished = await history.waitUntilEnded(ids, settleSeconds);
  return {
    offered_per_s: round(offer.orders.length / offer.offeredSeconds),
    seconds: spec.seconds,
    customers: spec.customers,
    poll_interval_ms: spec.pollIntervalMs,
    accepted: ids.length,
    ...refusalsOf(offer.orders),
    unfinished,
    ...latencyFigures(await history.outcomes(ids)),
    ...reads,
  };
}
