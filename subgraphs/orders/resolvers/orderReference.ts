import { isOwnerOrAdmin } from '../../../platform/auth/identity';
import type { OrdersContext } from '../context';
import type { Order } from '../schema/Order';

/**
 * `_entities` for Order (the gateway comes here from Payment.order). Batched
 * through the request's loader; never throws. An order the caller may not read
 * answers null exactly like an unknown one: throwing FORBIDDEN would tell a
 * stranger the id exists, and null keeps the reference resolver total.
 */
export async function resolveOrderReference(ref: { id: string }, ctx: OrdersContext): Promise<Order | null> {
  const order = await ctx.loaders.order.load(ref.id);
  return order && isOwnerOrAdmin(ctx.user, order.userId) ? order : null;
}
