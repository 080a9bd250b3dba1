import type { BaseContext } from '../../platform/graphql/context';
import type { ProductRepository } from './db/ProductRepository';
import type { InventoryClient } from './inventoryClient';
import type { ProductLoaders } from './loaders';

export interface ProductsDeps {
  products: ProductRepository;
  inventory: InventoryClient;
}

export interface ProductsContext extends BaseContext, ProductsDeps {
  loaders: ProductLoaders;
}
