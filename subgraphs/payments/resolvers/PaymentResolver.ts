import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { requireOwnerOrAdmin, requireUser } from '../../../platform/graphql/context';
import type { PaymentsContext } from '../context';
import { Order } from '../schema/Order';
import { Payment } from '../schema/Payment';

/** Every way to a Payment authorizes before handing it out, so its fields need not check again. */
@Resolver(() => Payment)
export class PaymentResolver {
  @Query(() => Payment, { nullable: true, description: "The order's owner or an ADMIN; null for an unknown id" })
  async payment(@Arg('id', () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<Payment | null> {
    requireUser(ctx);
    const payment = await ctx.loaders.payment.load(id);
    if (!payment) return null;
    requireOwnerOrAdmin(ctx, payment.userId);
    return payment;
  }

  @FieldResolver(() => Order)
  order(@Root() payment: Payment): Order {
    return Object.assign(new Order(), { id: payment.orderId });
  }
}
