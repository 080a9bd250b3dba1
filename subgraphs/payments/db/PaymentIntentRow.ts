import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What orders.placed asked to be charged, kept until stock is reserved (inventory.reserved names only the order). */
@Entity('payment_intents')
export class PaymentIntentRow {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** The provider's token for the card, never a card number. */
  @Column({ name: 'card_token', type: 'text' })
  cardToken: string;

  /** Set by orders.cancelled: a reservation that comes later charges nothing. */
  @Column({ name: 'cancelled_at', type: 'timestamptz', precision: 3, nullable: true })
  cancelledAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
