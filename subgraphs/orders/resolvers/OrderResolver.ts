import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { requireOwnerOrAdmin, requireUser } from '../../../platform/graphql/context';
import type { OrdersContext } from '../context';
import { Order } from '../schema/Order';
import { OrderItem } from '../schema/OrderItem';
import { OrderStatusChange } from '../schema/OrderStatusChange';
import { User } from '../schema/User';

/**
 * Every way to an Order (this query, User.orders, the entity reference)
 * authorizes before handing it out, so the fields below need not check again.
 */
@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, { nullable: true, description: 'Its owner or an ADMIN; null for an unknown id' })
  async order(@Arg('id', () => ID) id: string, @Ctx() ctx: OrdersContext): Promise<Order | null> {
    requireUser(ctx);
    const order = await ctx.loaders.order.load(id);
    if (!order) return null;
    requireOwnerOrAdmin(ctx, order.userId);
    return order;
  }

  @FieldResolver(() => User)
  user(@Root() order: Order): User {
    return Object.assign(new User(), { id: order.userId });
  }

  @FieldResolver(() => [OrderItem])
  async items(@Root() order: Order, @Ctx() ctx: OrdersContext): Promise<OrderItem[]> {
    return ctx.loaders.items.load(order);
  }

  @FieldResolver(() => [OrderStatusChange], { description: 'Every status the order went through, oldest first' })
  async history(@Root() order: Order, @Ctx() ctx: OrdersContext): Promise<OrderStatusChange[]> {
    return ctx.loaders.history.load(order.id);
  }
}
