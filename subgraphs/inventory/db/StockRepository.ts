import type { DataSource, Repository } from 'typeorm';
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
}
