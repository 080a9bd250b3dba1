import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PaymentRow } from '../db/PaymentRow';
import { PaymentStatus } from '../domain/PaymentStatus';

export interface ArrangedPayment {
  userId: string;
  orderId?: string;
  status?: PaymentStatus;
  failureReason?: string | null;
  createdAt?: Date;
}

/** For tests: writes a payment row directly, as the saga would (PaymentService.chargeReservedOrder); 29.00 EUR. */
export async function arrangePayment(
  db: DataSource,
  payment: ArrangedPayment,
): Promise<{ id: string; orderId: string }> {
  const orderId = payment.orderId ?? randomUUID();
  const createdAt = payment.createdAt ?? new Date();
  const { identifiers } = await db.getRepository(PaymentRow).insert({
    orderId,
    userId: payment.userId,
    amountCents: 2900,
    currency: 'EUR',
    status: payment.status ?? PaymentStatus.SUCCEEDED,
    failureReason: payment.failureReason ?? null,
    providerRef: `sim_${randomUUID()}`,
    createdAt,
    updatedAt: createdAt,
  });
  return { id: identifiers[0].id as string, orderId };
}
