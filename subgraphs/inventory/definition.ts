import type { SubgraphDefinition } from '../../platform/subgraph';
import type { InventoryContext, InventoryDeps } from './context';
import { ReservationRepository } from './db/ReservationRepository';
import { StockRepository } from './db/StockRepository';
import { StockRow } from './db/StockRow';
import { migrations } from './db/migrations';
import { inventoryConsumers } from './events/inventoryConsumers';
import { createLoaders } from './loaders';
import { ReservationService } from './ReservationService';
import { StockResolver } from './resolvers/StockResolver';

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
    const stock = new StockRepository(dataSource);
    const reservations = new ReservationRepository();
    return {
      stock,
      reservations: new ReservationService(stock, reservations, log.child({ component: 'reservations' })),
    };
  },
  createContext: (deps, base) => ({ ...base, ...deps, loaders: createLoaders(deps.stock) }),
  events: { publishes: true, consumers: (deps) => inventoryConsumers(deps.reservations) },
};
