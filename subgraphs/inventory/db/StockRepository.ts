import type { EntityManager } from 'typeorm';
import { BadUserInputError } from '../../../platform/errors';
import { isUuid } from '../../../platform/graphql/ids';
import type { OrderLine } from '../domain/planReservation';
import { StockRow } from './StockRow';
import { prepared } from '../../../platform/db/preparedStatements';

/** How much on hand and reserved of one product change (negative: less). */
export interface StockChange {
  productId: string;
  onHand: number;
  reserved: number;
}

/** A product's units that can be ordered (on hand minus reserved) after a change, and when it was made. */
export interface AvailableStock {
  productId: string;
  available: number;
  changedAt: Date;
}

interface AvailableRaw {
  product_id: string;
  available: number;
  updated_at: Date;
}

/** What a change leaves available, read by the statement that made it: the stock row as it now is. */
const RETURNING_AVAILABLE = 'RETURNING stock.product_id, stock.on_hand - stock.reserved AS available, stock.updated_at';

/** In product id order, as inventory.stockChanged lists them. */
function toAvailable(rows: readonly AvailableRaw[]): AvailableStock[] {
  return rows
    .map((row) => ({ productId: row.product_id, available: row.available, changedAt: row.updated_at }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/**
 * The writes of the stock table, and the reads a saga step makes under its
 * row locks (its other reads are StockQueries'), each in the caller's
 * transaction. Every write that changes what is available returns it, so
 * the caller publishes the new value without reading the row again.
 */
export class StockRepository {
  /** Creates the product's stock row once; null when it was there already (a retry changes nothing). */
  async initialize(tx: EntityManager, productId: string, onHand: number): Promise<AvailableStock | null> {
    const rows = (await tx.query(
      `INSERT INTO stock (product_id, on_hand, reserved) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING ${RETURNING_AVAILABLE}`,
      [productId, onHand],
    )) as AvailableRaw[];
    return toAvailable(rows)[0] ?? null;
  }

  /** Adds to what is on hand in one atomic UPDATE; null when the product has no stock row. */
  async restock(tx: EntityManager, productId: string, quantity: number): Promise<StockRow | null> {
    if (!isUuid(productId)) return null;
    try {
      const [rows] = (await tx.query(
        'UPDATE stock SET on_hand = on_hand + $2, updated_at = now() WHERE product_id = $1 RETURNING product_id, on_hand, reserved, updated_at',
        [productId, quantity],
      )) as [{ product_id: string; on_hand: number; reserved: number; updated_at: Date }[], number];
      const raw = rows[0];
      if (!raw) return null;
      return Object.assign(new StockRow(), {
        productId: raw.product_id,
        onHand: raw.on_hand,
        reserved: raw.reserved,
        updatedAt: raw.updated_at,
      });
    } catch (error) {
      // 22003: on_hand would pass the integer range
      if ((error as { code?: string }).code === '22003')
        throw new BadUserInputError('Stock would exceed its limit', 'quantity');
      throw error;
    }
  }

  /**
   * Locks the products' stock rows until the transaction ends and returns
   * what each has available. Rows are locked in product id order, the same
   * order every transaction here uses, so two orders never deadlock.
   */
  async lockAvailable(tx: EntityManager, productIds: readonly string[]): Promise<Map<string, number>> {
    const rows = (await tx.query(
      prepared(`SELECT product_id, on_hand - reserved AS available FROM stock
        WHERE product_id = ANY($1::uuid[]) ORDER BY product_id FOR UPDATE`),
      [productIds.filter(isUuid)],
    )) as { product_id: string; available: number }[];
    return new Map(rows.map((row) => [row.product_id, row.available]));
  }

  /**
   * Reserves every line in one statement, each only if that many units are
   * available, and returns what is available now of each product it reserved.
   * Lock the rows first (lockAvailable): this UPDATE takes its row locks in no
   * particular order. Product ids must be unique: an UPDATE applies one line per row.
   */
  async reserveAll(tx: EntityManager, lines: readonly OrderLine[]): Promise<AvailableStock[]> {
    const [rows] = (await tx.query(
      prepared(`UPDATE stock SET reserved = stock.reserved + line.quantity, updated_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS line (product_id, quantity)
        WHERE stock.product_id = line.product_id AND stock.on_hand - stock.reserved >= line.quantity
       ${RETURNING_AVAILABLE}`),
      [lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    )) as [AvailableRaw[], number];
    return toAvailable(rows);
  }

  /**
   * Changes on hand and reserved of each product by the given amounts in one
   * statement and returns what is available now of each product it changed; the table's CHECKs
   * refuse anything negative. The CTE locks the rows in product id order before
   * the UPDATE touches any (an UPDATE alone locks in whatever order its plan
   * reads), so this cannot deadlock with a reservation locking them in that order.
   * Product ids must be unique.
   */
  async adjustAll(tx: EntityManager, changes: readonly StockChange[]): Promise<AvailableStock[]> {
    const [rows] = (await tx.query(
      prepared(`WITH locked AS (
         SELECT product_id FROM stock WHERE product_id = ANY($1::uuid[]) ORDER BY product_id FOR UPDATE
       )
       UPDATE stock
          SET on_hand = stock.on_hand + change.on_hand, reserved = stock.reserved + change.reserved, updated_at = now()
         FROM locked
         JOIN unnest($1::uuid[], $2::int[], $3::int[]) AS change (product_id, on_hand, reserved) USING (product_id)
        WHERE stock.product_id = locked.product_id
       ${RETURNING_AVAILABLE}`),
      [changes.map((c) => c.productId), changes.map((c) => c.onHand), changes.map((c) => c.reserved)],
    )) as [AvailableRaw[], number];
    return toAvailable(rows);
  }
}
