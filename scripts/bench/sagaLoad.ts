import { acceptedIds, offerOrders, refusalsOf, steadyRate, type OrderTarget } from './orderOffer';
import { latencyFigures, round } from './sagaFigures';
import { SagaHistory } from './SagaHistory';

/** Where the saga's orders go, where their history is read, and how long they may take to end. */
export interface SagaTarget extends OrderTarget {
  /** The orders database, where each order's PENDING and PAID times are recorded. */
  ordersDatabaseUrl: string;
  /** How long to wait after the last order was offered for the saga to finish them. */
  settleSeconds: number;
}

export interface SagaLoadSpec extends SagaTarget {
  ratePerSecond: number;
  seconds: number;
}

export interface SagaResult {
  offered_per_s: number;
  accepted: number;
  refused: number;
  completed_per_s: number;
  p50_ms: number;
  p99_ms: number;
  unfinished: number;
  /** Refused placeOrder calls by cause: `HTTP <status> <code> [<reason>]: <message>` or the transport error. */
  refusals: Record<string, number>;
  /** The warm-up before the measured window (see warmUpSaga), if any: not in the figures above. */
  warm_up?: { offered_per_s: number; seconds: number };
}

/**
 * The order saga under a fixed offered load (open loop: orders go out on a
 * schedule, whether or not earlier ones have finished), then how fast they
 * became PAID, measured from the orders database's own status history
 * (PENDING -> PAID), so the bench's polling does not slow the saga down.
 */
export async function runSagaLoad(spec: SagaLoadSpec): Promise<SagaResult> {
  const offer = await offerOrders(spec, steadyRate(spec.ratePerSecond, spec.seconds), { logRefusals: true });
  const ids = acceptedIds(offer.orders);
  const history = await SagaHistory.open(spec.ordersDatabaseUrl);
  try {
    const unfinished = await history.waitUntilEnded(ids, spec.settleSeconds);
    const { completed_per_s, p50_ms, p99_ms } = latencyFigures(await history.outcomes(ids));
    const { refused, refusals } = refusalsOf(offer.orders);
    return {
      offered_per_s: round(offer.orders.length / offer.offeredSeconds),
      accepted: ids.length,
      refused,
      completed_per_s,
      p50_ms,
      p99_ms,
      unfinished,
      refusals,
    };
  } finally {
    await history.close();
  }
}

/**
 * Before the measured window: a few seconds at a low rate, waited for until
 * every order finished, so the window measures the saga and not the first
 * calls of each code path (the JIT, pools growing, statements prepared).
 */
export async function warmUpSaga(
  spec: SagaTarget,
  ratePerSecond: number,
  seconds: number,
): Promise<{ accepted: number; refused: number; unfinished: number }> {
  const offer = await offerOrders(spec, steadyRate(ratePerSecond, seconds));
  const ids = acceptedIds(offer.orders);
  const history = await SagaHistory.open(spec.ordersDatabaseUrl);
  try {
    return {
      accepted: ids.length,
      refused: refusalsOf(offer.orders).refused,
      unfinished: await history.waitUntilEnded(ids, spec.settleSeconds),
    };
  } finally {
    await history.close();
  }
}
