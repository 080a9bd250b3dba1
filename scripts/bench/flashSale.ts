import { acceptedIds, allAtOnce, offerOrders, refusalsOf, type OrderTarget } from './orderOffer';
import { latencyFigures, type LatencyFigures } from './sagaFigures';
import type { SagaHistory } from './SagaHistory';

export interface FlashSaleResult extends LatencyFigures {
  customers: number;
  accepted: number;
  refused: number;
  refusals: Record<string, number>;
  /** From the moment all orders were sent until the last accepted one was answered. */
  all_accepted_ms: number;
  /** ... until the last accepted one ended (PAID or REJECTED), from the orders database's history. */
  all_ended_ms: number;
  unfinished: number;
}

/**
 * A flash sale: every customer (one token each) places one order at the same
 * moment. Every order should be taken (a burst is always taken) and end; how
 * long that takes is what the customers see.
 */
export async function runFlashSale(
  target: OrderTarget,
  history: SagaHistory,
  settleSeconds: number,
): Promise<FlashSaleResult> {
  const offer = await offerOrders(target, allAtOnce(target.tokens.length), { logRefusals: true });
  const ids = acceptedIds(offer.orders);
  const unfinished = await history.waitUntilEnded(ids, settleSeconds);
  const outcomes = await history.outcomes(ids);
  const accepted = offer.orders.filter((order) => order.id);
  const since = (times: number[]) => (times.length > 0 ? Math.max(...times) - offer.startedAt : 0);
  return {
    customers: target.tokens.length,
    accepted: ids.length,
    ...refusalsOf(offer.orders),
    all_accepted_ms: since(accepted.map((order) => order.answeredAt)),
    all_ended_ms: since(outcomes.flatMap((order) => (order.endedAt ? [order.endedAt] : []))),
    unfinished,
    ...latencyFigures(outcomes),
  };
}
