import type { SubgraphDefinition } from '../../platform/subgraph';
import type { ProductsContext, ProductsDeps } from './context';
import { ProductQueries } from './db/ProductQueries';
import { ProductRepository } from './db/ProductRepository';
import { ProductRow } from './db/ProductRow';
import { migrations } from './db/migrations';
import { InventoryClient } from './InventoryClient';
import { createLoaders } from './loaders';
import { ProductService } from './ProductService';
import { ProductResolver } from './resolvers/ProductResolver';
import { ProductSubscriptionResolver } from './resolvers/ProductSubscriptionResolver';
import type { Product } from './schema/Product';

export const productsSubgraph: SubgraphDefinition<ProductsDeps, ProductsContext> = {
  name: 'products',
  schema: {
    resolvers: [ProductResolver, ProductSubscriptionResolver],
    referenceResolvers: {
      Product: {
        // Unknown ids resolve to null, through the request's loader (one query per batch).
        __resolveReference: (ref: { id: string }, ctx: ProductsContext): Promise<Product | null> =>
          ctx.loaders.product.load(ref.id),
      },
    },
  },
  entities: [ProductRow],
  migrations,
  // orders copies names and prices into an order when it is placed.
  callers: { orders: ['products:read'] },
  createDeps: ({ dataSource, signer, config }) => ({
    productQueries: new ProductQueries(dataSource),
    productService: new ProductService(
      new ProductRepository(dataSource),
      new InventoryClient(signer, `${config.baseUrl.inventory}/graphql`),
    ),
  }),
  createContext: (deps, base) => ({ ...base, ...deps, loaders: createLoaders(deps.productQueries) }),
};
