import type { DataSource, EntityManager, Repository } from 'typeorm';
import { BadUserInputError } from '../../../platform/errors';
import { isUuid } from '../../../platform/graphql/ids';
import { StockRow } from './StockRow';

export class StockRepository {
  private readonly rows: Repository<StockRow>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(StockRow);
  }

  /** One query for any number of products (the DataLoader's batch). */
  async findByProductIds(productIds: readonly string[]): Promise<StockRow[]> {
    const valid = productIds.filter(isUuid);
    if (valid.length === 0) return [];
    return this.rows.createQueryBuilder('s').where('s.product_id = ANY(:ids)', { ids: valid }).getMany();
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
      `SELECT product_id, on_hand - reserved AS available FROM stock
        WHERE product_id = ANY($1::uuid[]) ORDER BY product_id FOR UPDATE`,
      [productIds.filter(isUuid)],
    )) as { product_id: string; available: number }[];
    return new Map(rows.map((row) => [row.product_id, row.available]));
  }

  /** Reserves `quantity` more units only if that many are available; false when not. */
  async reserve(tx: EntityManager, productId: string, quantity: number): Promise<boolean> {
    const [rows] = (await tx.query(
      `UPDATE stock SET reserved = reserved + $2, updated_at = now()
        WHERE product_id = $1 AND on_hand - reserved >= $2
       RETURNING product_id`,
      [productId, quantity],
    )) as [unknown[], number];
    return rows.length === 1;
  }

  /** Changes on hand and reserved by the given amounts; the table's CHECKs refuse anything negative. */
  async adjust(tx: EntityManager, productId: string, change: { onHand: number; reserved: number }): Promise<boolean> {
    const [rows] = (await tx.query(
      `UPDATE stock SET on_hand = on_hand + $2, reserved = reserved + $3, updated_at = now()
        WHERE product_id = $1
       RETURNING product_id`,
      [productId, change.onHand, change.reserved],
    )) as [unknown[], number];
    return rows.length === 1;
  }
}
