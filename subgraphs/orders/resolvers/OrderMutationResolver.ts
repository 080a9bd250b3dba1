import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requireUser } from '../../../platform/graphql/context';
import { ID_MAX_LENGTH } from '../../../platform/graphql/ids';
import { requireMaxLength } from '../../../platform/graphql/maxLength';
import type { OrdersContext } from '../context';
import { Order, toOrder } from '../schema/Order';
import { PlaceOrderInput } from '../schema/PlaceOrderInput';

@Resolver(() => Order)
export class OrderMutationResolver {
  @Mutation(() => Order, { description: 'Returns at once with status PENDING; the saga moves it on asynchronously' })
  async placeOrder(@Arg('input') input: PlaceOrderInput, @Ctx() ctx: OrdersContext): Promise<Order> {
    const user = requireUser(ctx);
    const row = await ctx.orderService.placeOrder(
      user,
      {
        lines: input.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
        cardToken: input.paymentMethod.cardToken,
        idempotencyKey: input.idempotencyKey ?? undefined,
      },
      ctx.requestId,
      ctx.log,
    );
    return toOrder(row);
  }

  @Mutation(() => Order, { description: 'By its owner; a PAID order is refunded first, then CANCELLED' })
  async cancelOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: OrdersContext): Promise<Order> {
    requireMaxLength(id, ID_MAX_LENGTH, 'id');
    const user = requireUser(ctx);
    return toOrder(await ctx.orderService.cancelOrder(user, id, ctx.log));
  }
}
