import type { BaseContext } from '../../platform/graphql/context';
import type { StockRepository } from './db/StockRepository';
import type { InventoryLoaders } from './loaders';
import type { ReservationService } from './ReservationService';

export interface InventoryDeps {
  stock: StockRepository;
  reservations: ReservationService;
}

export interface InventoryContext extends BaseContext, InventoryDeps {
  loaders: InventoryLoaders;
}
