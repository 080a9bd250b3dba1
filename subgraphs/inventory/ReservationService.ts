import type { EntityManager } from 'typeorm';
import type { Logger } from '../../platform/logger';
import type { Reservation, ReservationRepository } from './db/ReservationRepository';
import type { StockRepository } from './db/StockRepository';
import { planReservation, type OrderLine } from './domain/planReservation';
import type { ReservationStatus } from './domain/ReservationStatus';
import { stockChange, transitionFor, type SagaOutcome } from './domain/reservationTransitions';

export type ReserveResult =
  | { outcome: 'reserved'; lines: OrderLine[] }
  | { outcome: 'rejected'; shortProductIds: string[] }
  /** The order has reservations already (its orders.placed came again under another id). */
  | { outcome: 'known' }
  /** The order was cancelled before its orders.placed got here (a retried delivery). */
  | { outcome: 'cancelled' };

export interface ReservationMove {
  productId: string;
  quantity: number;
  from: ReservationStatus;
  to: ReservationStatus;
}

/**
 * inventory's part of the order saga: reserves an order's stock, and commits,
 * releases or restocks it as the order is paid, refused, cancelled or refunded.
 * Every method works in the caller's transaction (the consumer's, with its inbox record).
 */
export class ReservationService {
  constructor(
    private readonly stock: StockRepository,
    private readonly reservations: ReservationRepository,
    private readonly log: Logger,
  ) {}

  /** Reserves every line of the order or none. */
  async reserve(tx: EntityManager, orderId: string, items: readonly OrderLine[]): Promise<ReserveResult> {
    await this.reservations.lockOrder(tx, orderId);
    if (await this.reservations.isCancelled(tx, orderId)) {
      this.log.info({ orderId }, 'order cancelled before its reservation; nothing reserved');
      return { outcome: 'cancelled' };
    }
    if ((await this.reservations.lockByOrder(tx, orderId)).length > 0) {
      this.log.warn({ orderId }, 'order reserved before; nothing reserved again');
      return { outcome: 'known' };
    }
    const available = await this.stock.lockAvailable(
      tx,
      items.map((item) => item.productId),
    );
    const plan = planReservation(items, available);
    if (!plan.ok) {
      this.log.info({ orderId, shortProductIds: plan.shortProductIds }, 'order rejected: out of stock');
      return { outcome: 'rejected', shortProductIds: plan.shortProductIds };
    }
    for (const line of plan.lines) {
      // The rows are locked and were checked, so this cannot fail; if it ever
      // does, the whole transaction rolls back and the event is retried.
      if (!(await this.stock.reserve(tx, line.productId, line.quantity))) {
        throw new Error(`stock of ${line.productId} changed under its lock`);
      }
    }
    await this.reservations.insert(tx, orderId, plan.lines);
    this.log.info({ orderId, lines: plan.lines.length }, 'stock reserved');
    return { outcome: 'reserved', lines: plan.lines };
  }

  /** Applies what the outcome means for each of the order's reservations (nothing, if it means nothing now). */
  async settle(tx: EntityManager, orderId: string, outcome: SagaOutcome): Promise<ReservationMove[]> {
    const moves: ReservationMove[] = [];
    await this.reservations.lockOrder(tx, orderId);
    // Locked and walked in product id order: stock rows are then updated in the global lock order.
    for (const reservation of await this.reservations.lockByOrder(tx, orderId)) {
      const transition = transitionFor(outcome, reservation.status);
      if (!transition) continue;
      if (!(await this.reservations.move(tx, reservation, transition.from, transition.to))) continue;
      if (!(await this.stock.adjust(tx, reservation.productId, stockChange(transition, reservation.quantity)))) {
        throw new Error(`no stock row for reserved product ${reservation.productId}`);
      }
      moves.push(describe(reservation, transition.to));
    }
    // A retried orders.placed may still arrive after the cancel: it must find the order cancelled.
    if (outcome === 'ORDER_CANCELLED') await this.reservations.markCancelled(tx, orderId);
    this.log.info({ orderId, outcome, moves }, moves.length > 0 ? 'reservations settled' : 'no reservation to settle');
    return moves;
  }
}

function describe(reservation: Reservation, to: ReservationStatus): ReservationMove {
  return { productId: reservation.productId, quantity: reservation.quantity, from: reservation.status, to };
}
