import type { DataSource } from 'typeorm';
import { NotFoundError } from '../../platform/errors';
import { appendToOutbox } from '../../platform/events/outbox';
import type { Logger } from '../../platform/logger';
import type { StockRepository } from './db/StockRepository';
import type { StockRow } from './db/StockRow';
import { stockChangedEvent } from './events/stockChangedEvent';

/**
 * What is on hand: restocked by an ADMIN, first set by products when it
 * creates a product. Each change publishes inventory.stockChanged in its transaction.
 */
export class StockService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stock: StockRepository,
  ) {}

  /** Adds units to what is on hand; NOT_FOUND for a product without a stock row. */
  async restock(productId: string, quantity: number, log: Logger): Promise<StockRow> {
    const row = await this.dataSource.transaction(async (tx) => {
      const restocked = await this.stock.restock(tx, productId, quantity);
      if (!restocked) throw new NotFoundError('Product');
      const available = restocked.onHand - restocked.reserved;
      await appendToOutbox(
        tx,
        stockChangedEvent([{ productId, available, changedAt: restocked.updatedAt }], productId),
      );
      return restocked;
    });
    log.info({ productId, quantity, onHand: row.onHand }, 'restocked');
    return row;
  }

  /** Creates the product's stock row once; a repeated call (a retry) changes nothing. */
  async initializeStock(productId: string, quantity: number): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const created = await this.stock.initialize(tx, productId, quantity);
      // A product without a stock row has 0 available already: only units to order are news.
      if (created && created.available > 0) await appendToOutbox(tx, stockChangedEvent([created], productId));
    });
  }
}
