import type { BaseContext } from '../../platform/graphql/context';
import type { ProductQueries } from './db/ProductQueries';
import type { ProductLoaders } from './loaders';
import type { ProductService } from './ProductService';

export interface ProductsDeps {
  productQueries: ProductQueries;
  productService: ProductService;
}

export interface ProductsContext extends BaseContext, ProductsDeps {
  loaders: ProductLoaders;
}
