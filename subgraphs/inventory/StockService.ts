import { NotFoundError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { StockRepository } from './db/StockRepository';
import type { StockRow } from './db/StockRow';

/** What is on hand: restocked by an ADMIN, first set by products when it creates a product. */
export class StockService {
  constructor(private readonly stock: StockRepository) {}

  /** Adds units to what is on hand; NOT_FOUND for a product without a stock row. */
  async restock(productId: string, quantity: number, log: Logger): Promise<StockRow> {
    const row = await this.stock.restock(productId, quantity);
    if (!row) throw new NotFoundError('Product');
    log.info({ productId, quantity, onHand: row.onHand }, 'restocked');
    return row;
  }

  /** Creates the product's stock row once; a repeated call (a retry) changes nothing. */
  async initializeStock(productId: string, quantity: number): Promise<void> {
    await this.stock.initialize(productId, quantity);
  }
}
