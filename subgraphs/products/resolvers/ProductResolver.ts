import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin } from '../../../platform/graphql/context';
import { decodeCursor, encodeCursor, pageSize } from '../../../platform/graphql/cursor';
import { isUuid } from '../../../platform/graphql/ids';
import { BadUserInputError } from '../../../platform/errors';
import type { ProductsContext } from '../context';
import { CreateProductInput } from '../schema/CreateProductInput';
import { Product, toProduct } from '../schema/Product';
import { ProductConnection } from '../schema/ProductConnection';

@Resolver(() => Product)
export class ProductResolver {
  @Query(() => Product, { nullable: true })
  async product(@Arg('id', () => ID) id: string, @Ctx() ctx: ProductsContext): Promise<Product | null> {
    return ctx.loaders.product.load(id);
  }

  @Query(() => ProductConnection, { description: 'The catalog by name, a page at a time' })
  async products(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Ctx() ctx: ProductsContext,
  ): Promise<ProductConnection> {
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
