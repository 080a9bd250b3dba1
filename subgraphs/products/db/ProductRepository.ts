import type { DataSource, Repository } from 'typeorm';
import { ConflictError } from '../../../platform/errors';
import { ProductRow } from './ProductRow';

export interface NewProduct {
  sku: string;
  name: string;
  description: string | null;
  priceCents: number;
  currency: string;
}

/** The writes of the products table (its reads are ProductQueries'). */
export class ProductRepository {
  private readonly rows: Repository<ProductRow>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(ProductRow);
  }

  async create(product: NewProduct): Promise<ProductRow> {
    try {
      const { identifiers } = await this.rows.insert(product);
      return await this.rows.findOneByOrFail({ id: identifiers[0].id as string });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ConflictError(`A product with sku ${product.sku} already exists`);
      }
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    await this.rows.delete({ id });
  }
}
