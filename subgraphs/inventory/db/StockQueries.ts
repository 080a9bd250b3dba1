import type { DataSource, Repository } from 'typeorm';
import { findByUuids } from '../../../platform/db/findByUuids';
import { StockRow } from './StockRow';

/** The reads of the stock table the API serves (its writes are StockRepository's). */
export class StockQueries {
  private readonly rows: Repository<StockRow>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(StockRow);
  }

  /** One query for any number of products (the DataLoader's batch). */
  async findByProductIds(productIds: readonly string[]): Promise<StockRow[]> {
    return findByUuids(this.rows, 'product_id', productIds);
  }
}
