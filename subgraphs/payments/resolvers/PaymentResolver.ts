import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { isOwnerOrAdmin } from '../../../platform/auth/identity';
import { requireUser } from '../../../platform/graphql/context';
import { ID_MAX_LENGTH } from '../../../platform/graphql/ids';
import { requireMaxLength } from '../../../platform/graphql/maxLength';
import type { PaymentsContext } from '../context';
import { Order } from '../schema/Order';
import { Payment } from '../schema/Payment';

/** Every way to a Payment authorizes before handing it out, so its fields need not check again. */
@Resolver(() => Payment)
export class PaymentResolver {
  /**
   * Someone else's payment answers exactly as an unknown id does, after the same one query: a
   * FORBIDDEN would confirm to a stranger that the id exists.
   */
  @Query(() => Payment, {
    nullable: true,
    description: "The order's owner or an ADMIN; null for an unknown id and for someone else's payment alike",
  })
  async payment(@Arg('id', () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<Payment | null> {
    requireMaxLength(id, ID_MAX_LENGTH, 'id');
    const user = requireUser(ctx);
    const payment = await ctx.loaders.payment.load(id);
    return payment && isOwnerOrAdmin(user, payment.userId) ? payment : null;
  }

  @FieldResolver(() => Order)
  order(@Root() payment: Payment): Order {
    return Object.assign(new Order(), { id: payment.orderId });
  }
}
