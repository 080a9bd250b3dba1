import DataLoader from 'dataloader';
import type { StockQueries } from './db/StockQueries';

/** Per request: the available units of N products cost one query. */
export function createLoaders(stock: StockQueries) {
  return {
    available: new DataLoader<string, number>(async (productIds) => {
      const rows = await stock.findByProductIds(productIds);
      const byId = new Map(rows.map((row) => [row.productId, row.onHand - row.reserved]));
      // A product without a stock row has nothing to order.
      return productIds.map((id) => byId.get(id) ?? 0);
    }),
  };
}

export type InventoryLoaders = ReturnType<typeof createLoaders>;
