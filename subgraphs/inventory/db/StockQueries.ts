import type { DataSource, Repository } from 'typeorm';
import { isUuid } from '../../../platform/graphql/ids';
import { StockRow } from './StockRow';

/** The reads of the stock table the API serves (its writes are StockRepository's). */
export class StockQueries {
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
}
