import type { SubgraphDefinition } from '../../platform/subgraph';
import type { InventoryContext, InventoryDeps } from './context';
import { ReservationRepository } from './db/ReservationRepository';
import { StockQueries } from './db/StockQueries';
import { StockRepository } from './db/StockRepository';
import { StockRow } from './db/StockRow';
import { migrations } from './db/migrations';
import { inventoryConsumers } from './events/consumers';
import { createLoaders } from './loaders';
import { ReservationService } from './ReservationService';
import { StockResolver } from './resolvers/StockResolver';
import { StockService } from './StockService';

export const inventorySubgraph: SubgraphDefinition<InventoryDeps, InventoryContext> = {
  name: 'inventory',
  schema: {
    resolvers: [StockResolver],
    referenceResolvers: {
      // Any product id is a valid reference here: available/inStock load lazily and batched.
      Product: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
    },
  },
  entities: [StockRow],
  migrations,
  callers: { products: ['inventory:write'] },
  createDeps: ({ dataSource, log }) => {
    const stock = new StockRepository();
    return {
      stockQueries: new StockQueries(dataSource),
      stockService: new StockService(dataSource, stock),
      reservationService: new ReservationService(
        stock,
        new ReservationRepository(),
        log.child({ component: 'reservations' }),
      ),
    };
  },
  createContext: (deps, base) => ({ ...base, ...deps, loaders: createLoaders(deps.stockQueries) }),
  events: { publishes: true, consumers: (deps) => inventoryConsumers(deps.reservationService) },
};
