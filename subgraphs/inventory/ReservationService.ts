import type { EntityManager } from 'typeorm';
import { createReplyEvent, type EventEnvelope } from '../../platform/events/envelope';
import { appendToOutbox } from '../../platform/events/outbox';
import type { Logger } from '../../platform/logger';
import type { MovedReservation, ReservationRepository } from './db/ReservationRepository';
import type { AvailableStock, StockChange, StockRepository } from './db/StockRepository';
import { planReservation, type OrderLine } from './domain/planReservation';
import { ReservationStatus } from './domain/ReservationStatus';
import {
  closesOrder,
  stockChange,
  transitionFor,
  type ReservationTransition,
  type SagaOutcome,
} from './domain/reservationTransitions';
import { StockRejected, StockReserved } from './events/contracts';
import { stockChangedEvent } from './events/stockChangedEvent';

export type ReserveResult =
  /** `available`: what each product reserved has available now. */
  | { outcome: 'reserved'; lines: OrderLine[]; available: AvailableStock[] }
  | { outcome: 'rejected'; shortProductIds: string[] }
  /** The order has reservations already (its orders.placed came again under another id). */
  | { outcome: 'known' }
  /** The order was cancelled before its orders.placed got here (a retried delivery). */
  | { outcome: 'cancelled' };

export type ReservationMove = MovedReservation;

/**
 * inventory's part of the order saga: reserves an order's stock, and commits,
 * releases or restocks it as the order is paid, refused, cancelled or refunded.
 * Every method works in the caller's transaction (the consumer's, with its inbox record),
 * and a change of what is available publishes inventory.stockChanged in it.
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
    const history = await this.reservations.historyOf(tx, orderId);
    if (history.cancelled) {
      this.log.info({ orderId }, 'order cancelled before its reservation; nothing reserved');
      return { outcome: 'cancelled' };
    }
    if (history.reserved) {
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
    // The rows are locked and were checked, so every line is reserved; if one
    // ever is not, the whole transaction rolls back and the event is retried.
    const reserved = await this.stock.reserveAll(tx, plan.lines);
    if (reserved.length !== plan.lines.length) {
      throw new Error(
        `stock of order ${orderId} changed under its lock: ${reserved.length} of ${plan.lines.length} lines reserved`,
      );
    }
    await this.reservations.insert(tx, orderId, plan.lines);
    this.log.info({ orderId, lines: plan.lines.length }, 'stock reserved');
    return { outcome: 'reserved', lines: plan.lines, available: reserved };
  }

  /**
   * orders.placed: reserves every line or none, and answers inventory.reserved
   * (with inventory.stockChanged) or inventory.rejected in the same
   * transaction (nothing for an order known or cancelled before).
   */
  async reserveAndReply(
    tx: EntityManager,
    placed: EventEnvelope,
    orderId: string,
    items: readonly OrderLine[],
  ): Promise<ReserveResult> {
    const result = await this.reserve(tx, orderId, items);
    // The reply joins the order's saga: same correlation id, same trace.
    const reply = { source: 'inventory', subject: orderId };
    if (result.outcome === 'reserved') {
      await appendToOutbox(
        tx,
        createReplyEvent(StockReserved, placed, { ...reply, data: { orderId } }),
        stockChangedEvent(result.available, orderId),
      );
    } else if (result.outcome === 'rejected') {
      const data = { orderId, reason: 'OUT_OF_STOCK' as const, productIds: result.shortProductIds };
      await appendToOutbox(tx, createReplyEvent(StockRejected, placed, { ...reply, data }));
    }
    return result;
  }

  /** Applies what the outcome means for each of the order's reservations (nothing, if it means nothing now). */
  async settle(tx: EntityManager, orderId: string, outcome: SagaOutcome): Promise<ReservationMove[]> {
    await this.reservations.lockOrder(tx, orderId);
    // Under the order's lock nothing else moves its reservations, so each moves as its
    // transition says; one already moved (a retried event) is in no `from` status and stays.
    const moves = await this.reservations.moveAll(tx, orderId, transitionsOf(outcome));
    if (moves.length > 0) {
      const changes = stockChangesOf(outcome, moves);
      const adjusted = await this.stock.adjustAll(tx, changes);
      if (adjusted.length !== changes.length) {
        throw new Error(`no stock row for a product reserved by order ${orderId}`);
      }
      // A sale takes units off on hand and reserved alike: what is available stays, and is not published.
      const availableChanged = new Set(changes.filter((c) => c.onHand !== c.reserved).map((c) => c.productId));
      const changed = adjusted.filter((row) => availableChanged.has(row.productId));
      if (changed.length > 0) await appendToOutbox(tx, stockChangedEvent(changed, orderId));
    }
    // A retried orders.placed may still arrive after the cancel: it must find the order cancelled.
    if (closesOrder(outcome)) await this.reservations.markCancelled(tx, orderId);
    this.log.info({ orderId, outcome, moves }, moves.length > 0 ? 'reservations settled' : 'no reservation to settle');
    return moves;
  }
}

/** Every transition the outcome causes, at most one per status (the domain decides which). */
function transitionsOf(outcome: SagaOutcome): ReservationTransition[] {
  return Object.values(ReservationStatus).flatMap((status) => transitionFor(outcome, status) ?? []);
}

/** What the moves do to stock, as the domain says for the transition each made. */
function stockChangesOf(outcome: SagaOutcome, moves: readonly ReservationMove[]): StockChange[] {
  return moves.map((move) => {
    const transition = transitionFor(outcome, move.from);
    if (!transition) throw new Error(`${outcome} moved a reservation from ${move.from}, which it does not move`);
    return { productId: move.productId, ...stockChange(transition, move.quantity) };
  });
}
