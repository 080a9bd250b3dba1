import type { Logger } from '../../platform/logger';
import type { NewProduct, ProductRepository } from './db/ProductRepository';
import type { ProductRow } from './db/ProductRow';
import type { InventoryClient } from './InventoryClient';

export interface NewCatalogProduct extends NewProduct {
  /** The units inventory starts with. */
  initialStock: number;
}

/** The catalog's writes: a product is created together with its stock row in inventory. */
export class ProductService {
  constructor(
    private readonly products: ProductRepository,
    private readonly inventory: InventoryClient,
  ) {}

  async createProduct(product: NewCatalogProduct, requestId: string, log: Logger): Promise<ProductRow> {
    const { initialStock, ...fields } = product;
    const row = await this.products.create(fields);
    try {
      await this.inventory.initializeStock(row.id, initialStock, requestId);
    } catch (error) {
      // Without its stock row the product would be half-made: undo it and report the failure.
      await this.products.delete(row.id);
      throw error;
    }
    log.info({ productId: row.id, sku: row.sku }, 'product created');
    return row;
  }
}
