import { z } from 'zod';
import { defineEvent } from '../../../platform/events/contract';

/** The events payments publishes. A breaking change is a new version, never an edit. */
export const PaymentSucceeded = defineEvent(
  'payments.succeeded',
  1,
  z.object({
    orderId: z.string().uuid(),
    paymentId: z.string().uuid(),
    amountCents: z.number().int().nonnegative(),
    currency: z.string().length(3),
  }),
);

export const PaymentFailed = defineEvent(
  'payments.failed',
  1,
  z.object({
    orderId: z.string().uuid(),
    paymentId: z.string().uuid(),
    /** PAYMENT_DECLINED: the provider said no. */
    reason: z.string().min(1),
  }),
);

export const PaymentRefunded = defineEvent(
  'payments.refunded',
  1,
  z.object({
    orderId: z.string().uuid(),
    paymentId: z.string().uuid(),
    amountCents: z.number().int().nonnegative(),
    currency: z.string().length(3),
  }),
);
