import type { SubgraphDefinition } from '../../platform/subgraph';
import type { InventoryContext, InventoryDeps } from './context';
import { StockRepository } from './db/StockRepository';
import { StockRow } from './db/StockRow';
import { migrations } from './db/migrations';
import { createLoaders } from './loaders';
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
  createDeps: ({ dataSource }) => ({ stock: new StockRepository(dataSource) }),
  createContext: (deps, base) => ({ ...base, ...deps, loaders: createLoaders(deps.stock) }),
};
