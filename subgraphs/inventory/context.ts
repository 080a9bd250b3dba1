import type { BaseContext } from '../../platform/graphql/context';
import type { StockRepository } from './db/StockRepository';
import type { InventoryLoaders } from './loaders';

export interface InventoryDeps {
  stock: StockRepository;
}

export interface InventoryContext extends BaseContext, InventoryDeps {
  loaders: InventoryLoaders;
}
