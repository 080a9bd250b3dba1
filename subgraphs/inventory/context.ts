import type { BaseContext } from '../../platform/graphql/context';
import type { StockQueries } from './db/StockQueries';
import type { InventoryLoaders } from './loaders';
import type { ReservationService } from './ReservationService';
import type { StockService } from './StockService';

export interface InventoryDeps {
  stockQueries: StockQueries;
  stockService: StockService;
  reservationService: ReservationService;
}

export interface InventoryContext extends BaseContext, InventoryDeps {
  loaders: InventoryLoaders;
}
