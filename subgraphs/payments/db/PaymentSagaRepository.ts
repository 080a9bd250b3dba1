import type { DataSource, EntityManager } from 'typeorm';
import { chargeStep, assertTransition, type ChargeStep, type Settlement } from '../domain/paymentRules';
import { PaymentStatus } from '../domain/PaymentStatus';
import { PaymentIntentRow } from './PaymentIntentRow';
import { PaymentRow } from './PaymentRow';

export type NewIntent = Pick<PaymentIntentRow, 'orderId' | 'userId' | 'amountCents' | 'currency' | 'cardToken'>;

/** What reserved stock found: a PENDING payment to charge, or why there is nothing to charge. */
export type ChargeAttempt =
  | { step: 'start' | 'resume'; payment: PaymentRow; cardToken: string }
  | { step: 'await-intent' }
  | { step: 'skip-cancelled' }
  | { step: 'already-settled' };

/**
 * The saga's writes to payments. Both paths that decide about money lock the
 * order's intent first (charging: FOR UPDATE; cancelling: UPDATE), so a
 * cancellation and a charge of one order never both miss each other.
 */
export class PaymentSagaRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent: a redelivered orders.placed changes nothing. */
  async recordIntent(tx: EntityManager, intent: NewIntent): Promise<void> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(PaymentIntentRow)
      .values({ ...intent, createdAt: new Date() })
      .orIgnore()
      .execute();
  }

  /**
   * Commits the PENDING payment before the provider is called, so a charge
   * interrupted by a crash is found again and repeated with the same key
   * (the payment's id) instead of a new one.
   */
  async beginCharge(orderId: string): Promise<ChargeAttempt> {
    return this.dataSource.transaction(async (tx) => {
      const intent = await tx
        .getRepository(PaymentIntentRow)
        .findOne({ where: { orderId }, lock: { mode: 'pessimistic_write' } });
      const latest = await this.latestPayment(tx, orderId);
      const step = chargeStep(intent && { cancelled: intent.cancelledAt !== null }, latest?.status ?? null);
      if (intent && step === 'start') {
        return { step, payment: await this.insertPending(tx, intent), cardToken: intent.cardToken };
      }
      if (intent && latest && step === 'resume') return { step, payment: latest, cardToken: intent.cardToken };
      return { step: step as Exclude<ChargeStep, 'start' | 'resume'> };
    });
  }

  /** Settles a PENDING payment; null when a twin delivery of the same charge settled it first. */
  async settle(tx: EntityManager, paymentId: string, settlement: Settlement): Promise<PaymentRow | null> {
    const payment = await this.lockPayment(tx, paymentId);
    if (payment.status !== PaymentStatus.PENDING) return null;
    assertTransition(payment.status, settlement.status);
    const settled = Object.assign(payment, {
      status: settlement.status,
      providerRef: settlement.status === PaymentStatus.SUCCEEDED ? settlement.providerRef : null,
      failureReason: settlement.status === PaymentStatus.FAILED ? settlement.failureReason : null,
      updatedAt: new Date(),
    });
    // One UPDATE of the row locked above: save() would load it again first (a round trip per charge).
    await tx.query(
      'UPDATE payments SET status = $2, provider_ref = $3, failure_reason = $4, updated_at = $5 WHERE id = $1',
      [settled.id, settled.status, settled.providerRef, settled.failureReason, settled.updatedAt],
    );
    return settled;
  }

  /** Marks the order's intent cancelled (idempotent); false when orders.placed has not arrived yet. */
  async cancelIntent(tx: EntityManager, orderId: string): Promise<boolean> {
    const [, affected] = (await tx.query(
      'UPDATE payment_intents SET cancelled_at = coalesce(cancelled_at, now()) WHERE order_id = $1',
      [orderId],
    )) as [unknown, number];
    return affected === 1;
  }

  async markRefunded(tx: EntityManager, paymentId: string, refundRef: string): Promise<PaymentRow> {
    const payment = await this.lockPayment(tx, paymentId);
    assertTransition(payment.status, PaymentStatus.REFUNDED);
    return tx
      .getRepository(PaymentRow)
      .save(Object.assign(payment, { status: PaymentStatus.REFUNDED, refundRef, updatedAt: new Date() }));
  }

  /** The order's latest payment, as it is now. */
  async findLatestPayment(orderId: string): Promise<PaymentRow | null> {
    return this.latestPayment(this.dataSource.manager, orderId);
  }

  /** The order's latest payment, locked until the transaction ends. */
  async lockLatestPayment(tx: EntityManager, orderId: string): Promise<PaymentRow | null> {
    return this.latestPayment(tx, orderId, true);
  }

  private async latestPayment(db: EntityManager, orderId: string, lock = false): Promise<PaymentRow | null> {
    return db.getRepository(PaymentRow).findOne({
      where: { orderId },
      order: { createdAt: 'DESC', id: 'DESC' },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  private async insertPending(tx: EntityManager, intent: PaymentIntentRow): Promise<PaymentRow> {
    const now = new Date();
    return tx.getRepository(PaymentRow).save(
      Object.assign(new PaymentRow(), {
        orderId: intent.orderId,
        userId: intent.userId,
        amountCents: intent.amountCents,
        currency: intent.currency,
        status: PaymentStatus.PENDING,
        failureReason: null,
        providerRef: null,
        refundRef: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  private async lockPayment(tx: EntityManager, paymentId: string): Promise<PaymentRow> {
    return tx
      .getRepository(PaymentRow)
      .findOneOrFail({ where: { id: paymentId }, lock: { mode: 'pessimistic_write' } });
  }
}
