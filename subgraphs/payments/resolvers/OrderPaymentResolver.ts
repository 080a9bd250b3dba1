import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { isOwnerOrAdmin } from '../../../platform/auth/identity';
import { requireUser } from '../../../platform/graphql/context';
import type { PaymentsContext } from '../context';
import { Order } from '../schema/Order';
import { Payment } from '../schema/Payment';

/** payments' part of Order: its latest payment. */
@Resolver(() => Order)
export class OrderPaymentResolver {
  /**
   * Authorized here, not trusted from the reference: anyone can name an order
   * id in a representation. payments.user_id is the order's owner. An order
   * without a payment answers null to any signed-in caller (with no payment
   * row there is no owner to check against), and so does the payment of
   * someone else's order: the two are indistinguishable, so null tells
   * nothing about the order or its payment.
   */
  @FieldResolver(() => Payment, { nullable: true, description: 'Null until a payment was attempted' })
  async payment(@Root() order: Order, @Ctx() ctx: PaymentsContext): Promise<Payment | null> {
    const user = requireUser(ctx);
    const payment = await ctx.loaders.latestByOrder.load(order.id);
    return payment && isOwnerOrAdmin(user, payment.userId) ? payment : null;
  }
}
