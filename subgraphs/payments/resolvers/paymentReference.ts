import { isOwnerOrAdmin } from '../../../platform/auth/identity';
import type { PaymentsContext } from '../context';
import type { Payment } from '../schema/Payment';

/**
 * `_entities` for Payment. Batched through the request's loader; never throws.
 * A payment the caller may not read answers null exactly like an unknown one,
 * so a stranger learns nothing about which ids exist.
 */
export async function resolvePaymentReference(ref: { id: string }, ctx: PaymentsContext): Promise<Payment | null> {
  const payment = await ctx.loaders.payment.load(ref.id);
  return payment && isOwnerOrAdmin(ctx.user, payment.userId) ? payment : null;
}
