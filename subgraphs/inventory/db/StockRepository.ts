import type { DataSource, EntityManager, Repository } from 'typeorm';
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

/** The writes of the stock table, and the reads a saga step makes under its row locks (its other reads are StockQueries'). */
export class StockRepository {
  private readonly rows: Repository<StockRow>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(StockRow);
  }

  /** Creates the product's stock row once; a repeated call (a retry) changes nothing. */
  async initialize(productId: string, onHand: number): Promise<void> {
    await this.rows.createQueryBuilder().insert().values({ productId, onHand, reserved: 0 }).orIgnore().execute();
  }

  /** Adds to what is on hand in one atomic UPDATE; null when the product has no stock row. */
  async restock(productId: string, quantity: number): Promise<StockRow | null> {
    if (!isUuid(productId)) return null;
    try {
      const result = await this.rows
        .createQueryBuilder()
        .update()
        .set({ onHand: () => 'on_hand + :quantity', updatedAt: () => 'now()' })
        .where('product_id = :productId', { productId })
        .setParameter('quantity', quantity)
        .returning('*')
        .execute();
      const raw = (result.raw as { product_id: string; on_hand: number; reserved: number; updated_at: Date }[])[0];
      if (!raw) return null;
      return this.rows.create({
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
   * available, and returns how many lines it reserved. Lock the rows first
   * (lockAvailable): this UPDATE takes its row locks in no particular order.
   * Product ids must be unique: an UPDATE applies one line per row.
   */
  async reserveAll(tx: EntityManager, lines: readonly OrderLine[]): Promise<number> {
    const [, reserved] = (await tx.query(
      prepared(`UPDATE stock SET reserved = stock.reserved + line.quantity, updated_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS line (product_id, quantity)
        WHERE stock.product_id = line.product_id AND stock.on_hand - stock.reserved >= line.quantity`),
      [lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    )) as [unknown[], number];
    return reserved;
  }

  /**
   * Changes on hand and reserved of each product by the given amounts in one
   * statement and returns how many products it changed; the table's CHECKs
   * refuse anything negative. The CTE locks the rows in product id order before
   * the UPDATE touches any (an UPDATE alone locks in whatever order its plan
   * reads), so this cannot deadlock with a reservation locking them in that order.
   * Product ids must be unique.
   */
  async adjustAll(tx: EntityManager, changes: readonly StockChange[]): Promise<number> {
    const [, changed] = (await tx.query(
      prepared(`WITH locked AS (
         SELECT product_id FROM stock WHERE product_id = ANY($1::uuid[]) ORDER BY product_id FOR UPDATE
       )
       UPDATE stock
          SET on_hand = stock.on_hand + change.on_hand, reserved = stock.reserved + change.reserved, updated_at = now()
         FROM locked
         JOIN unnest($1::uuid[], $2::int[], $3::int[]) AS change (product_id, on_hand, reserved) USING (product_id)
        WHERE stock.product_id = locked.product_id`),
      [changes.map((c) => c.productId), changes.map((c) => c.onHand), changes.map((c) => c.reserved)],
    )) as [unknown[], number];
    return changed;
  }
}
