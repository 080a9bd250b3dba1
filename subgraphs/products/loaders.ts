import DataLoader from 'dataloader';
import type { ProductQueries } from './db/ProductQueries';
import { type Product, toProduct } from './schema/Product';

/** Per request, so a list of N products costs one query, and nothing leaks between users. */
export function createLoaders(products: ProductQueries) {
  return {
    product: new DataLoader<string, Product | null>(async (ids) => {
      const byId = new Map((await products.findByIds(ids)).map((row) => [row.id, toProduct(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type ProductLoaders = ReturnType<typeof createLoaders>;
