import type { DataSource, Repository } from 'typeorm';
import { findByUuids } from '../../../platform/db/findByUuids';
import { ProductRow } from './ProductRow';

export interface ProductPageQuery {
  first: number;
  /** Keyset of the last row of the previous page: [name, id]. */
  after?: [string, string];
  search?: string;
}

export interface ProductPage {
  rows: ProductRow[];
  hasNextPage: boolean;
  totalCount: number;
}

/** The reads of the products table (its writes are ProductRepository's). */
export class ProductQueries {
  private readonly rows: Repository<ProductRow>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(ProductRow);
  }

  /** One query for any number of ids (the DataLoader's batch). */
  async findByIds(ids: readonly string[]): Promise<ProductRow[]> {
    return findByUuids(this.rows, 'id', ids);
  }

  async page(query: ProductPageQuery): Promise<ProductPage> {
    const filtered = this.rows.createQueryBuilder('p');
    if (query.search) {
      filtered.where('(p.name ILIKE :pattern OR p.sku ILIKE :pattern)', { pattern: likePattern(query.search) });
    }
    const page = filtered.clone().orderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC');
    if (query.after) {
      page.andWhere('(p.name, p.id) > (:afterName, :afterId)', { afterName: query.after[0], afterId: query.after[1] });
    }
    // One row more than asked tells whether a next page exists.
    const [rows, totalCount] = await Promise.all([page.limit(query.first + 1).getMany(), filtered.getCount()]);
    return { rows: rows.slice(0, query.first), hasNextPage: rows.length > query.first, totalCount };
  }
}

/** Matches the term anywhere, with LIKE's wildcards in it taken literally. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
