import type { EntityManager } from 'typeorm';
import { ReservationStatus } from '../domain/ReservationStatus';
import type { OrderLine } from '../domain/planReservation';
import { prepared } from '../../../platform/db/preparedStatements';

/** What inventory knows of an order before it reserves anything for it. */
export interface OrderHistory {
  /** Cancelled before anything was reserved for it. */
  cancelled: boolean;
  /** It has reservations already. */
  reserved: boolean;
}

/** A reservation moved from one status to another. */
export interface MovedReservation {
  productId: string;
  quantity: number;
  from: ReservationStatus;
  to: ReservationStatus;
}

interface MovedRaw {
  product_id: string;
  quantity: number;
  from_status: ReservationStatus;
  to_status: ReservationStatus;
}

/** The reservations table. Every method works in the caller's transaction (a saga step's). */
export class ReservationRepository {
  /**
   * Serializes everything done to one order's reservations, also across
   * replicas handling its events at once (a placed and a cancel, say).
   *
   * Keep it a statement of its own, before anything is read: a statement sees
   * only what was committed when it started, so a read in the statement that
   * waits here would miss what the lock's holder committed meanwhile (a cancel).
   */
  async lockOrder(tx: EntityManager, orderId: string): Promise<void> {
    await tx.query(prepared('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))'), [orderId]);
  }

  /** Remembers an order cancelled before anything was reserved for it. */
  async markCancelled(tx: EntityManager, orderId: string): Promise<void> {
    await tx.query(prepared('INSERT INTO cancelled_orders (order_id) VALUES ($1) ON CONFLICT DO NOTHING'), [orderId]);
  }

  /** Both facts a reservation depends on, in one statement. Read under lockOrder. */
  async historyOf(tx: EntityManager, orderId: string): Promise<OrderHistory> {
    const [row] = (await tx.query(
      prepared(`SELECT EXISTS (SELECT 1 FROM cancelled_orders WHERE order_id = $1) AS cancelled,
              EXISTS (SELECT 1 FROM reservations WHERE order_id = $1) AS reserved`),
      [orderId],
    )) as OrderHistory[];
    return row;
  }

  async insert(tx: EntityManager, orderId: string, lines: readonly OrderLine[]): Promise<void> {
    await tx.query(
      prepared(`INSERT INTO reservations (order_id, product_id, quantity, status)
       SELECT $1, line.product_id, line.quantity, $4
         FROM unnest($2::uuid[], $3::int[]) AS line (product_id, quantity)`),
      [orderId, lines.map((l) => l.productId), lines.map((l) => l.quantity), ReservationStatus.RESERVED],
    );
  }

  /**
   * Moves each of the order's reservations that is in one of the `from`
   * statuses to the `to` paired with it, in one statement, and returns the
   * ones it moved in product id order. A reservation in no `from` status stays
   * as it is, so applying the same moves again moves nothing. Give each
   * `from` once: an UPDATE changes a row once, however many moves match it.
   */
  async moveAll(
    tx: EntityManager,
    orderId: string,
    moves: readonly { from: ReservationStatus; to: ReservationStatus }[],
  ): Promise<MovedReservation[]> {
    const [rows] = (await tx.query(
      prepared(`UPDATE reservations AS r SET status = m.to_status, updated_at = now()
         FROM unnest($2::text[], $3::text[]) AS m (from_status, to_status)
        WHERE r.order_id = $1 AND r.status = m.from_status
       RETURNING r.product_id, r.quantity, m.from_status, m.to_status`),
      [orderId, moves.map((m) => m.from), moves.map((m) => m.to)],
    )) as [MovedRaw[], number];
    return rows
      .map((row) => ({ productId: row.product_id, quantity: row.quantity, from: row.from_status, to: row.to_status }))
      .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  }
}
