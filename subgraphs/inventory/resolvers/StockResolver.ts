import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { hasScope } from '../../../platform/auth/serviceTokens';
import { requireAdmin } from '../../../platform/graphql/context';
import { BadUserInputError, ForbiddenError } from '../../../platform/errors';
import { ID_MAX_LENGTH, isUuid } from '../../../platform/graphql/ids';
import { requireMaxLength } from '../../../platform/graphql/maxLength';
import type { InventoryContext } from '../context';
import { Product } from '../schema/Product';

const MAX_RESTOCK = 1_000_000;

@Resolver(() => Product)
export class StockResolver {
  @FieldResolver(() => Int)
  async available(@Root() product: Product, @Ctx() ctx: InventoryContext): Promise<number> {
    return ctx.loaders.available.load(product.id);
  }

  @FieldResolver(() => Boolean)
  async inStock(@Root() product: Product, @Ctx() ctx: InventoryContext): Promise<boolean> {
    return (await ctx.loaders.available.load(product.id)) > 0;
  }

  @Mutation(() => Product, { description: 'ADMIN only: adds units to what is on hand' })
  async restock(
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: InventoryContext,
  ): Promise<Pick<Product, 'id'>> {
    requireMaxLength(productId, ID_MAX_LENGTH, 'productId');
    requireAdmin(ctx);
    if (quantity < 1 || quantity > MAX_RESTOCK) {
      throw new BadUserInputError(`quantity must be between 1 and ${MAX_RESTOCK}`, 'quantity');
    }
    const row = await ctx.stockService.restock(productId, quantity, ctx.log);
    ctx.loaders.available.prime(row.productId, row.onHand - row.reserved);
    return { id: row.productId };
  }

  /**
   * Called by the products service, never by clients: @inaccessible keeps it
   * out of the public API, and only products holding inventory:write may call it.
   */
  @Mutation(() => Boolean)
  @Directive('@inaccessible')
  async initializeStock(
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: InventoryContext,
  ): Promise<boolean> {
    if (ctx.caller.service !== 'products' || !hasScope(ctx.caller, 'inventory:write')) throw new ForbiddenError();
    if (!isUuid(productId)) throw new BadUserInputError('productId must be a UUID', 'productId');
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_RESTOCK) {
      throw new BadUserInputError(`quantity must be between 0 and ${MAX_RESTOCK}`, 'quantity');
    }
    await ctx.stockService.initializeStock(productId, quantity);
    return true;
  }
}
