import type { DataSource, EntityManager } from 'typeorm';
import type { UserIdentity } from '../../platform/auth/identity';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors';
import { createEvent, PermanentEventError, RetryLaterError, type EventEnvelope } from '../../platform/events/envelope';
import type { Commit } from '../../platform/events/EventConsumer';
import { appendToOutbox } from '../../platform/events/outbox';
import { isUuid } from '../../platform/graphql/ids';
import type { Logger } from '../../platform/logger';
import type { OrderRow } from './db/OrderRow';
import type { OrderQueries } from './db/OrderQueries';
import type { HistoryEntry, OrderRepository } from './db/OrderRepository';
import { normaliseLines, priceLines, requestFingerprint, type RequestedLine } from './domain/orderLines';
import { decideCancel, transition, type SagaFact } from './domain/sagaTransitions';
import { OrderStatus } from './domain/OrderStatus';
import { OrderCancelled, OrderPlaced, OrderStatusChanged, OrderTimedOut } from './events/contracts';
import type { ProductsClient } from './ProductsClient';
import type { SagaAdmission } from './SagaAdmission';

export interface PlaceOrderRequest {
  lines: RequestedLine[];
  cardToken: string;
  idempotencyKey?: string;
}

/** placeOrder, cancelOrder and the saga's effects on an order. */
export class OrderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: OrderQueries,
    private readonly store: OrderRepository,
    private readonly products: ProductsClient,
    /** Refuses orders only when the saga could not finish its backlog in time; none: every order is taken. */
    private readonly admission?: SagaAdmission,
  ) {}

  /** Stores the order PENDING with its orders.placed and orders.statusChanged in one transaction; returns at once. */
  async placeOrder(user: UserIdentity, request: PlaceOrderRequest, requestId: string, log: Logger): Promise<OrderRow> {
    const lines = normaliseLines(request.lines, isUuid);
    const requestHash = requestFingerprint(lines, request.cardToken);
    // An empty key is no key.
    const key = request.idempotencyKey || undefined;
    if (key) {
      const earlier = await this.queries.findByIdempotencyKey(user.id, key);
      if (earlier) return sameRequestOrConflict(earlier, requestHash);
    }
    // After the idempotency check: a retry of an order already taken gets its answer, overload or not.
    const admitted = this.admission?.admit();
    try {
      const order = await this.priceAndStore(
        user,
        lines,
        { requestHash, key, cardToken: request.cardToken },
        requestId,
        log,
      );
      admitted?.(true);
      return order;
    } catch (error) {
      admitted?.(false);
      throw error;
    }
  }

  /** Prices the lines from the catalog, then stores the order and its orders.placed in one transaction. */
  private async priceAndStore(
    user: UserIdentity,
    lines: RequestedLine[],
    request: { requestHash: string; key?: string; cardToken: string },
    requestId: string,
    log: Logger,
  ): Promise<OrderRow> {
    const { requestHash, key, cardToken } = request;
    const priced = priceLines(
      lines,
      await this.products.catalog(
        lines.map((l) => l.productId),
        requestId,
      ),
    );
    try {
      return await this.dataSource.transaction(async (tx) => {
        const { order, entry } = await this.store.insert(tx, {
          userId: user.id,
          priced,
          idempotencyKey: key ?? null,
          requestHash,
        });
        await appendToOutbox(
          tx,
          createEvent(OrderPlaced, {
            source: 'orders',
            subject: order.id,
            correlationId: order.id,
            data: {
              orderId: order.id,
              userId: user.id,
              items: lines,
              amountCents: priced.totalCents,
              currency: priced.currency,
              cardToken,
            },
          }),
          this.statusChanged(order, entry, OrderStatus.PENDING),
        );
        log.info({ orderId: order.id, totalCents: priced.totalCents }, 'order placed');
        return order;
      });
    } catch (error) {
      // Two requests with one key at once: the unique index lets one in; the other returns its order.
      if (key && (error as { code?: string }).code === '23505') {
        const winner = await this.queries.findByIdempotencyKey(user.id, key);
        if (winner) return sameRequestOrConflict(winner, requestHash);
      }
      throw error;
    }
  }

  async cancelOrder(user: UserIdentity, orderId: string, log: Logger): Promise<OrderRow> {
    if (!isUuid(orderId)) throw new NotFoundError('Order');
    return this.dataSource.transaction(async (tx) => {
      const order = await this.store.lock(tx, orderId);
      if (!order) throw new NotFoundError('Order');
      if (order.userId !== user.id) {
        // Only an ADMIN may know the order exists; to anyone else it is as unknown as a random id.
        if (user.role !== 'ADMIN') throw new NotFoundError('Order');
        throw new ForbiddenError('Only the customer who placed an order may cancel it');
      }
      const decision = decideCancel({ status: order.status, cancelRequested: !!order.cancelRequestedAt });
      if (decision.kind === 'refuse') throw new ConflictError(decision.reason);
      const events: EventEnvelope[] = [
        createEvent(OrderCancelled, {
          source: 'orders',
          subject: order.id,
          correlationId: order.id,
          data: { orderId: order.id, userId: order.userId, wasPaid: decision.kind === 'refundFirst' },
        }),
      ];
      if (decision.kind === 'cancelNow') {
        const entry = await this.store.moveTo(tx, order, OrderStatus.CANCELLED);
        events.push(this.statusChanged(order, entry, OrderStatus.CANCELLED));
      } else {
        // Not a status change (the order stays PAID until its refund): no orders.statusChanged.
        await this.store.markCancelRequested(tx, order);
      }
      await appendToOutbox(tx, ...events);
      log.info({ orderId, decision: decision.kind }, 'order cancel');
      return (await this.store.lock(tx, orderId)) as OrderRow;
    });
  }

  /**
   * Applies one saga fact to an order in the consumer's transaction (`commit`,
   * with its inbox record). Once that committed, a saga it ended counts for
   * admission control: a step that rolled back (and comes again) is not counted twice.
   */
  async advance(commit: Commit, orderId: string, fact: SagaFact): Promise<void> {
    let sagaLatencyMs: number | undefined;
    const first = await commit(async (tx) => {
      sagaLatencyMs = await this.apply(tx, orderId, fact);
    });
    if (first && sagaLatencyMs !== undefined) this.sagaEnded(sagaLatencyMs);
  }

  /**
   * Applies one saga fact to an order inside the consumer's transaction (a
   * move with its orders.statusChanged); when
   * it ends the saga (PAID or REJECTED), returns how long the saga took, in ms,
   * for sagaEnded once the transaction has committed. (CANCELLED waits for the
   * customer, not the saga: it does not count.)
   */
  async apply(tx: EntityManager, orderId: string, fact: SagaFact): Promise<number | undefined> {
    const order = await this.store.lock(tx, orderId);
    // An event about an order this service never stored cannot become valid later.
    if (!order) throw new PermanentEventError(`order ${orderId} does not exist`);
    const next = transition({ status: order.status, cancelRequested: !!order.cancelRequestedAt }, fact);
    if (next.kind === 'notYet')
      throw new RetryLaterError(`order ${orderId} is ${order.status}; ${fact.kind} must wait`);
    if (next.kind !== 'move') return undefined;
    const entry = await this.store.moveTo(tx, order, next.status, next.rejectionReason);
    await appendToOutbox(tx, this.statusChanged(order, entry, next.status, next.rejectionReason));
    return next.status === OrderStatus.PAID || next.status === OrderStatus.REJECTED ? entry.ageMs : undefined;
  }

  /**
   * Ends up to `limit` orders the saga did not finish within `deadlineMs`:
   * REJECTED (TIMED_OUT) with orders.timedOut (and orders.statusChanged) in the same transaction, which
   * makes inventory release their stock and payments refund or never take
   * their money. Returns how many it ended.
   */
  async endOverdue(deadlineMs: number, limit: number, log: Logger): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const overdue = await this.store.lockOverdue(tx, deadlineMs, limit);
      for (const order of overdue) {
        const next = transition(
          { status: order.status, cancelRequested: !!order.cancelRequestedAt },
          { kind: 'deadlinePassed' },
        );
        if (next.kind !== 'move') continue;
        const entry = await this.store.moveTo(tx, order, next.status, next.rejectionReason);
        await appendToOutbox(
          tx,
          createEvent(OrderTimedOut, {
            source: 'orders',
            subject: order.id,
            correlationId: order.id,
            data: { orderId: order.id, userId: order.userId, amountCents: order.totalCents, currency: order.currency },
          }),
          this.statusChanged(order, entry, next.status, next.rejectionReason),
        );
        log.warn({ orderId: order.id, status: order.status, placedAt: order.createdAt }, 'order timed out');
      }
      return overdue.length;
    });
  }

  /** Orders past their deadline and not ended yet. */
  async countOverdue(deadlineMs: number): Promise<number> {
    return this.queries.countOverdue(deadlineMs);
  }

  /** An order's saga ended (committed) after `latencyMs`: what admission control goes by. */
  sagaEnded(latencyMs: number): void {
    this.admission?.recordFinished(latencyMs);
  }

  /**
   * orders.statusChanged for the change `entry` recorded, appended with it:
   * every status change publishes one, which is what the gateway's
   * subscriptions (orderUpdated, myOrdersUpdated) are served from.
   */
  private statusChanged(
    order: OrderRow,
    entry: HistoryEntry,
    status: OrderStatus,
    rejectionReason?: string,
  ): EventEnvelope {
    return createEvent(OrderStatusChanged, {
      source: 'orders',
      subject: order.id,
      correlationId: order.id,
      data: {
        orderId: order.id,
        userId: order.userId,
        status,
        rejectionReason: rejectionReason ?? null,
        seq: entry.seq,
        changedAt: entry.changedAt.toISOString(),
      },
    });
  }
}

function sameRequestOrConflict(order: OrderRow, requestHash: string): OrderRow {
  if (order.requestHash !== requestHash) {
    throw new ConflictError('This idempotency key was already used for another order');
  }
  return order;
}
