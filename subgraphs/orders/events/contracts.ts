import { z } from 'zod';
import { defineEvent } from '../../../platform/events/contract';

/** The events orders publishes. A breaking change is a new version, never an edit. */
export const OrderPlaced = defineEvent(
  'orders.placed',
  1,
  z.object({
    orderId: z.string().uuid(),
    userId: z.string().uuid(),
    /** Sorted by productId, so reservations lock rows in one global order. */
    items: z.array(z.object({ productId: z.string().uuid(), quantity: z.number().int().positive() })).min(1),
    amountCents: z.number().int().nonnegative(),
    currency: z.string().length(3),
    /** The payment provider's token for the card (never card numbers). */
    cardToken: z.string().min(1),
  }),
);

/** The customer cancelled: undo what was done (release stock, refund a payment taken). */
export const OrderCancelled = defineEvent(
  'orders.cancelled',
  1,
  z.object({
    orderId: z.string().uuid(),
    userId: z.string().uuid(),
    /** The order was PAID when cancelled: it ends CANCELLED once the refund is done. */
    wasPaid: z.boolean(),
  }),
);
