import type { EntityManager } from 'typeorm';
import { ReservationStatus } from '../domain/ReservationStatus';
import type { OrderLine } from '../domain/planReservation';

export interface Reservation {
  orderId: string;
  productId: string;
  quantity: number;
  status: ReservationStatus;
}

interface ReservationRaw {
  order_id: string;
  product_id: string;
  quantity: number;
  status: ReservationStatus;
}

const COLUMNS = 'order_id, product_id, quantity, status';

/** The reservations table. Every method works in the caller's transaction (a saga step's). */
export class ReservationRepository {
  /**
   * An order's reservations, locked until the transaction ends, so that two
   * events about one order (a cancellation and a payment) apply one after the other.
   */
  /**
   * Serializes everything done to one order's reservations, also across
   * replicas handling its events at once (a placed and a cancel, say).
   */
  async lockOrder(tx: EntityManager, orderId: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [orderId]);
  }

  /** Remembers an order cancelled before anything was reserved for it. */
  async markCancelled(tx: EntityManager, orderId: string): Promise<void> {
    await tx.query('INSERT INTO cancelled_orders (order_id) VALUES ($1) ON CONFLICT DO NOTHING', [orderId]);
  }

  async isCancelled(tx: EntityManager, orderId: string): Promise<boolean> {
    return ((await tx.query('SELECT 1 FROM cancelled_orders WHERE order_id = $1', [orderId])) as unknown[]).length > 0;
  }

  async lockByOrder(tx: EntityManager, orderId: string): Promise<Reservation[]> {
    const rows = (await tx.query(
      `SELECT ${COLUMNS} FROM reservations WHERE order_id = $1 ORDER BY product_id FOR UPDATE`,
      [orderId],
    )) as ReservationRaw[];
    return rows.map((row) => ({
      orderId: row.order_id,
      productId: row.product_id,
      quantity: row.quantity,
      status: row.status,
    }));
  }

  async insert(tx: EntityManager, orderId: string, lines: readonly OrderLine[]): Promise<void> {
    await tx.query(
      `INSERT INTO reservations (order_id, product_id, quantity, status)
       SELECT $1, line.product_id, line.quantity, $4
         FROM unnest($2::uuid[], $3::int[]) AS line (product_id, quantity)`,
      [orderId, lines.map((l) => l.productId), lines.map((l) => l.quantity), ReservationStatus.RESERVED],
    );
  }

  /** Moves a reservation on only if it is still `from`: false when it was not (moved before). */
  async move(
    tx: EntityManager,
    reservation: Pick<Reservation, 'orderId' | 'productId'>,
    from: ReservationStatus,
    to: ReservationStatus,
  ): Promise<boolean> {
    const [rows] = (await tx.query(
      `UPDATE reservations SET status = $4, updated_at = now()
        WHERE order_id = $1 AND product_id = $2 AND status = $3
       RETURNING product_id`,
      [reservation.orderId, reservation.productId, from, to],
    )) as [unknown[], number];
    return rows.length === 1;
  }
}
