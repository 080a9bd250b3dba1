import { Arg, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { isOwnerOrAdmin } from '../../../platform/auth/identity';
import { requireUser } from '../../../platform/graphql/context';
import { ID_MAX_LENGTH } from '../../../platform/graphql/ids';
import { requireMaxLength } from '../../../platform/graphql/maxLength';
import type { OrdersContext } from '../context';
import { MAX_LINES } from '../domain/orderLines';
import { Order } from '../schema/Order';
import { OrderItem } from '../schema/OrderItem';
import { OrderStatusChange } from '../schema/OrderStatusChange';
import { User } from '../schema/User';

/**
 * The longest path through the status machine (domain/sagaTransitions.ts), one history entry per
 * status: PENDING -> RESERVED -> PAID -> CANCELLED. No status is entered twice, so no history is longer.
 */
const LONGEST_HISTORY = 4;

/**
 * Every way to an Order (this query, User.orders, the entity reference)
 * authorizes before handing it out, so the fields below need not check again.
 */
@Resolver(() => Order)
export class OrderResolver {
  /**
   * Someone else's order answers exactly as an unknown id does, after the same one query: a FORBIDDEN
   * would confirm to a stranger that the id exists.
   */
  @Query(() => Order, {
    nullable: true,
    description: "Its owner or an ADMIN; null for an unknown id and for someone else's order alike",
  })
  async order(@Arg('id', () => ID) id: string, @Ctx() ctx: OrdersContext): Promise<Order | null> {
    requireMaxLength(id, ID_MAX_LENGTH, 'id');
    const user = requireUser(ctx);
    const order = await ctx.loaders.order.load(id);
    return order && isOwnerOrAdmin(user, order.userId) ? order : null;
  }

  @FieldResolver(() => User)
  user(@Root() order: Order): User {
    return Object.assign(new User(), { id: order.userId });
  }

  // The gateway's cost counts an order's items as this many: placeOrder takes at most MAX_LINES.
  @FieldResolver(() => [OrderItem])
  @Directive(`@listSize(assumedSize: ${MAX_LINES})`)
  async items(@Root() order: Order, @Ctx() ctx: OrdersContext): Promise<OrderItem[]> {
    return ctx.loaders.items.load(order);
  }

  @FieldResolver(() => [OrderStatusChange], { description: 'Every status the order went through, oldest first' })
  @Directive(`@listSize(assumedSize: ${LONGEST_HISTORY})`)
  async history(@Root() order: Order, @Ctx() ctx: OrdersContext): Promise<OrderStatusChange[]> {
    return ctx.loaders.history.load(order.id);
  }
}
