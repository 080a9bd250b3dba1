import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin } from '../../../platform/graphql/context';
import { CONNECTION_LIST_SIZE, decodeCursor, encodeCursor, pageSize } from '../../../platform/graphql/cursor';
import { ID_MAX_LENGTH, isUuid } from '../../../platform/graphql/ids';
import { requireMaxLength } from '../../../platform/graphql/maxLength';
import { BadUserInputError } from '../../../platform/errors';
import type { ProductsContext } from '../context';
import { CreateProductInput } from '../schema/CreateProductInput';
import { Product, toProduct } from '../schema/Product';
import { ProductConnection } from '../schema/ProductConnection';

/** A search is a product name or part of one: names are at most 200 characters (CreateProductInput). */
export const SEARCH_MAX_LENGTH = 200;
/**
 * base64url of `["<name>","<uuid>"]`: a 200-character name is at most 1,200 bytes of JSON (each
 * character escaped as \u00XX at worst), 1,243 with the id, so 1,658 characters.
 */
export const PRODUCT_CURSOR_MAX_LENGTH = 1_700;

@Resolver(() => Product)
export class ProductResolver {
  @Query(() => Product, { nullable: true })
  async product(@Arg('id', () => ID) id: string, @Ctx() ctx: ProductsContext): Promise<Product | null> {
    requireMaxLength(id, ID_MAX_LENGTH, 'id');
    return ctx.loaders.product.load(id);
  }

  @Query(() => ProductConnection, { description: 'The catalog by name, a page at a time' })
  @Directive(CONNECTION_LIST_SIZE)
  async products(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Ctx() ctx: ProductsContext,
  ): Promise<ProductConnection> {
    requireMaxLength(search, SEARCH_MAX_LENGTH, 'search');
    requireMaxLength(after, PRODUCT_CURSOR_MAX_LENGTH, 'after');
    const keyset = after ? decodeProductCursor(after) : undefined;
    const page = await ctx.productQueries.page({
      first: pageSize(first ?? 20),
      after: keyset,
      search: search?.trim() || undefined,
    });
    const edges = page.rows.map((row) => {
      const node = toProduct(row);
      ctx.loaders.product.prime(node.id, node);
      return { cursor: encodeCursor([row.name, row.id]), node };
    });
    return {
      edges,
      totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Mutation(() => Product, { description: 'ADMIN only' })
  async createProduct(@Arg('input') input: CreateProductInput, @Ctx() ctx: ProductsContext): Promise<Product> {
    requireAdmin(ctx);
    const row = await ctx.productService.createProduct(
      {
        sku: input.sku,
        name: input.name.trim(),
        description: input.description ?? null,
        priceCents: input.price,
        currency: input.currency ?? 'USD',
        initialStock: input.initialStock ?? 0,
      },
      ctx.requestId,
      ctx.log,
    );
    return toProduct(row);
  }
}

/** [name, id] of the last product of the previous page; anything else is refused before SQL. */
function decodeProductCursor(cursor: string): [string, string] {
  const [name, id] = decodeCursor(cursor, 2);
  if (typeof name !== 'string' || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError('Invalid cursor', 'after');
  }
  return [name, id];
}
