import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { PaymentStatus } from '../domain/PaymentStatus';

/** Storage shape of a payment; the API shape is schema/Payment.ts. */
@Entity('payments')
export class PaymentRow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  /** The order's owner, so reads are authorized here without asking orders. */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'text' })
  status: PaymentStatus;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason: string | null;

  /** The provider's id of the charge, for refunds and reconciliation. */
  @Column({ name: 'provider_ref', type: 'text', nullable: true })
  providerRef: string | null;

  /** The refund's id at the provider; set when REFUNDED. */
  @Column({ name: 'refund_ref', type: 'text', nullable: true })
  refundRef: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
