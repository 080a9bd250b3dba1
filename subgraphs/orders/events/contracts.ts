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

/**
 * The order did not end within ORDER_DEADLINE and orders ended it (REJECTED,
 * TIMED_OUT): undo what was done, as for a cancel (release its stock, refund
 * or never take its payment). It carries the amount, so payments can remember
 * the order as ended even when its orders.placed never reached payments.
 */
export const OrderTimedOut = defineEvent(
  'orders.timedOut',
  1,
  z.object({
    orderId: z.string().uuid(),
    userId: z.string().uuid(),
    amountCents: z.number().int().nonnegative(),
    currency: z.string().length(3),
  }),
);

/**
 * The order's status changed: every change, one event each, PENDING
 * included, so the gateway can serve its subscriptions (orderUpdated,
 * myOrdersUpdated) from the bus alone. No saga step consumes it. `seq` is the
 * order's history entry: events of one order may be compared by it (1 is
 * PENDING), which orders them even when two share a millisecond.
 */
export const OrderStatusChanged = defineEvent(
  'orders.statusChanged',
  1,
  z.object({
    orderId: z.string().uuid(),
    userId: z.string().uuid(),
    status: z.enum(['PENDING', 'RESERVED', 'PAID', 'REJECTED', 'CANCELLED']),
    rejectionReason: z.string().nullable(),
    /** The order_status_history entry's seq: 1 is PENDING, each change one more. */
    seq: z.number().int().positive(),
    /** ISO 8601, the database's time of the change (the history entry's). */
    changedAt: z.string().datetime(),
  }),
);
