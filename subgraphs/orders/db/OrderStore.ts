import type { EntityManager } from 'typeorm';
import type { PricedOrder } from '../domain/orderLines';
import type { OrderStatus } from '../domain/OrderStatus';
import { OrderRow } from './OrderRow';

export interface NewOrder {
  userId: string;
  priced: PricedOrder;
  idempotencyKey: string | null;
  requestHash: string;
}

/**
 * The order's writes, each inside a transaction the caller owns, so a change
 * and the event it causes (outbox) commit together.
 */
export class OrderStore {
  /** Inserts a PENDING order with its lines and the first history entry. */
  async insert(tx: EntityManager, order: NewOrder): Promise<OrderRow> {
    const [row] = (await tx.query(
      `INSERT INTO orders (user_id, status, total_cents, currency, idempotency_key, request_hash)
       VALUES ($1, 'PENDING', $2, $3, $4, $5) RETURNING id`,
      [order.userId, order.priced.totalCents, order.priced.currency, order.idempotencyKey, order.requestHash],
    )) as { id: string }[];
    const lines = order.priced.lines;
    await tx.query(
      `INSERT INTO order_items (order_id, line_no, product_id, product_name, quantity, unit_price_cents)
       SELECT $1, n, p, name, q, price
       FROM unnest($2::int[], $3::uuid[], $4::text[], $5::int[], $6::int[]) AS t(n, p, name, q, price)`,
      [
        row.id,
        lines.map((_, i) => i + 1),
        lines.map((l) => l.productId),
        lines.map((l) => l.productName),
        lines.map((l) => l.quantity),
        lines.map((l) => l.unitPriceCents),
      ],
    );
    await this.appendHistory(tx, row.id, 'PENDING' as OrderStatus);
    return tx.getRepository(OrderRow).findOneByOrFail({ id: row.id });
  }

  /** The order, locked for the rest of the transaction: saga events and cancels take turns. */
  async lock(tx: EntityManager, orderId: string): Promise<OrderRow | null> {
    return tx
      .getRepository(OrderRow)
      .createQueryBuilder('o')
      .setLock('pessimistic_write')
      .where('o.id = :orderId', { orderId })
      .getOne();
  }

  async findByIdempotencyKey(tx: EntityManager, userId: string, key: string): Promise<OrderRow | null> {
    return tx.getRepository(OrderRow).findOneBy({ userId, idempotencyKey: key });
  }

  async moveTo(tx: EntityManager, order: OrderRow, status: OrderStatus, rejectionReason?: string): Promise<void> {
    await tx.query(
      `UPDATE orders SET status = $2, rejection_reason = $3, version = version + 1, updated_at = now()
       WHERE id = $1`,
      [order.id, status, rejectionReason ?? null],
    );
    await this.appendHistory(tx, order.id, status);
  }

  async markCancelRequested(tx: EntityManager, order: OrderRow): Promise<void> {
    await tx.query(
      'UPDATE orders SET cancel_requested_at = now(), version = version + 1, updated_at = now() WHERE id = $1',
      [order.id],
    );
  }

  private async appendHistory(tx: EntityManager, orderId: string, status: OrderStatus): Promise<void> {
    await tx.query(
      `INSERT INTO order_status_history (order_id, seq, status)
       SELECT $1, coalesce(max(seq), 0) + 1, $2 FROM order_status_history WHERE order_id = $1`,
      [orderId, status],
    );
  }
}
