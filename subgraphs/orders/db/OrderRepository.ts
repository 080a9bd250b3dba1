import type { EntityManager } from 'typeorm';
import type { PricedOrder } from '../domain/orderLines';
import type { OrderStatus } from '../domain/OrderStatus';
import type { OrderRow } from './OrderRow';
import { ORDER_COLUMNS, toOrderRow, type OrderColumns } from './orderColumns';
import { prepared } from '../../../platform/db/preparedStatements';

export interface NewOrder {
  userId: string;
  priced: PricedOrder;
  idempotencyKey: string | null;
  requestHash: string;
}

/** The order_status_history entry a status change added, as the database wrote it. */
export interface HistoryEntry {
  /** 1 is PENDING; each change one more. */
  seq: number;
  changedAt: Date;
}

/** A history entry as the statements below return it. */
interface EntryColumns {
  entry_seq: number;
  entry_at: Date;
}

/**
 * The writes of orders, order_items and order_status_history (and the locking
 * reads a write starts with), each inside a transaction the caller owns, so a
 * change and the event it causes (outbox) commit together. Their other reads
 * are OrderQueries'.
 */
export class OrderRepository {
  /**
   * Inserts a PENDING order with its lines and the first history entry, in
   * one statement: placeOrder's transaction is on the saga's hot path, and
   * each round trip to Postgres costs more than the statement itself.
   */
  async insert(tx: EntityManager, order: NewOrder): Promise<{ order: OrderRow; entry: HistoryEntry }> {
    const lines = order.priced.lines;
    const [row] = (await tx.query(
      prepared(`WITH inserted AS (
         INSERT INTO orders (user_id, status, total_cents, currency, idempotency_key, request_hash)
         VALUES ($1, 'PENDING', $2, $3, $4, $5) RETURNING ${ORDER_COLUMNS}
       ), items AS (
         INSERT INTO order_items (order_id, line_no, product_id, product_name, quantity, unit_price_cents)
         SELECT inserted.id, n, p, name, q, price
         FROM inserted, unnest($6::int[], $7::uuid[], $8::text[], $9::int[], $10::int[]) AS t(n, p, name, q, price)
       ), history AS (
         INSERT INTO order_status_history (order_id, seq, status) SELECT id, 1, status FROM inserted
         RETURNING seq, at
       )
       SELECT ${ORDER_COLUMNS}, history.seq AS entry_seq, history.at AS entry_at FROM inserted, history`),
      [
        order.userId,
        order.priced.totalCents,
        order.priced.currency,
        order.idempotencyKey,
        order.requestHash,
        lines.map((_, i) => i + 1),
        lines.map((l) => l.productId),
        lines.map((l) => l.productName),
        lines.map((l) => l.quantity),
        lines.map((l) => l.unitPriceCents),
      ],
    )) as (OrderColumns & EntryColumns)[];
    return { order: toOrderRow(row), entry: { seq: row.entry_seq, changedAt: row.entry_at } };
  }

  /** The order, locked for the rest of the transaction: saga events and cancels take turns. */
  async lock(tx: EntityManager, orderId: string): Promise<OrderRow | null> {
    // Plain SQL: each saga step starts here, and the query builder cost more CPU than the statement.
    const [row] = (await tx.query(prepared(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`), [
      orderId,
    ])) as OrderColumns[];
    return row ? toOrderRow(row) : null;
  }

  /**
   * Up to `limit` orders still in the saga that were placed over `deadlineMs`
   * ago, oldest first, locked. SKIP LOCKED: an order a saga step holds right
   * now is left to that step (and the next sweep), and replicas sweeping at
   * once never take the same order.
   */
  async lockOverdue(tx: EntityManager, deadlineMs: number, limit: number): Promise<OrderRow[]> {
    const rows = (await tx.query(
      prepared(`SELECT ${ORDER_COLUMNS} FROM orders
        WHERE status IN ('PENDING', 'RESERVED') AND created_at < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`),
      [deadlineMs / 1000, limit],
    )) as OrderColumns[];
    return rows.map(toOrderRow);
  }

  /**
   * Returns the history entry it added, and how long ago, in ms, the order
   * was placed, by the database's clock (the saga's latency).
   */
  async moveTo(
    tx: EntityManager,
    order: OrderRow,
    status: OrderStatus,
    rejectionReason?: string,
  ): Promise<HistoryEntry & { ageMs: number }> {
    // The change and its history entry in one statement: one round trip per saga step.
    const [row] = (await tx.query(
      prepared(`WITH moved AS (
         UPDATE orders SET status = $2, rejection_reason = $3, version = version + 1, updated_at = now()
         WHERE id = $1
         RETURNING created_at
       )
       INSERT INTO order_status_history (order_id, seq, status)
       SELECT $1, coalesce(max(seq), 0) + 1, $2 FROM order_status_history WHERE order_id = $1
       RETURNING seq AS entry_seq, at AS entry_at,
         (SELECT floor(extract(epoch FROM clock_timestamp() - created_at) * 1000)::int FROM moved) AS age_ms`),
      [order.id, status, rejectionReason ?? null],
    )) as (EntryColumns & { age_ms: number })[];
    return { seq: row.entry_seq, changedAt: row.entry_at, ageMs: row.age_ms };
  }

  async markCancelRequested(tx: EntityManager, order: OrderRow): Promise<void> {
    await tx.query(
      prepared(
        'UPDATE orders SET cancel_requested_at = now(), version = version + 1, updated_at = now() WHERE id = $1',
      ),
      [order.id],
    );
  }
}
