import type { DataSource, EntityManager } from 'typeorm';
import { chargeStep, assertTransition, type ChargeStep, type Settlement } from '../domain/paymentRules';
import { PaymentStatus } from '../domain/PaymentStatus';
import type { PaymentIntentRow } from './PaymentIntentRow';
import { PaymentRow } from './PaymentRow';
import { prepared } from '../../../platform/db/preparedStatements';

export type NewIntent = Pick<PaymentIntentRow, 'orderId' | 'userId' | 'amountCents' | 'currency' | 'cardToken'>;

/** The payment a charge is for: its id is the provider's idempotency key. */
export type ChargedPayment = Pick<PaymentRow, 'id' | 'amountCents' | 'currency'>;

/** What reserved stock found: a PENDING payment to charge, or why there is nothing to charge. */
export type ChargeAttempt =
  | { step: 'start' | 'resume'; payment: ChargedPayment; cardToken: string }
  | { step: 'await-intent' }
  | { step: 'skip-cancelled' }
  | { step: 'already-settled' };

/** An order's intent as a charge sees it, with the order's latest payment. */
interface LockedIntent {
  cardToken: string;
  cancelled: boolean;
  latest: (ChargedPayment & { status: PaymentStatus }) | null;
}

/**
 * The writes of payments and payment_intents (and the locking reads a write
 * starts with; their other reads are PaymentQueries'). Both paths that decide about money lock the
 * order's intent first (charging: FOR UPDATE; cancelling: UPDATE), so a
 * cancellation and a charge of one order never both miss each other.
 *
 * The charge path (orders.placed, then inventory.reserved) runs once per
 * order: its statements are plain SQL, each doing as much as it safely can,
 * because every round trip costs Node, Postgres and the kernel more than the
 * statement itself.
 */
export class PaymentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent: a redelivered orders.placed changes nothing. */
  async recordIntent(tx: EntityManager, intent: NewIntent): Promise<void> {
    await tx.query(
      prepared(`INSERT INTO payment_intents (order_id, user_id, amount_cents, currency, card_token)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING`),
      [intent.orderId, intent.userId, intent.amountCents, intent.currency, intent.cardToken],
    );
  }

  /**
   * Commits the PENDING payment before the provider is called, so a charge
   * interrupted by a crash is found again and repeated with the same key
   * (the payment's id) instead of a new one.
   */
  async beginCharge(orderId: string): Promise<ChargeAttempt> {
    return this.dataSource.transaction(async (tx) => {
      const intent = await this.lockIntent(tx, orderId);
      const step = chargeStep(intent, intent?.latest?.status ?? null);
      if (intent && step === 'start') {
        return { step, payment: await this.insertPending(tx, orderId), cardToken: intent.cardToken };
      }
      if (intent?.latest && step === 'resume') return { step, payment: intent.latest, cardToken: intent.cardToken };
      return { step: step as Exclude<ChargeStep, 'start' | 'resume'> };
    });
  }

  /** Settles a PENDING payment; false when a twin delivery of the same charge settled it first. */
  async settle(tx: EntityManager, paymentId: string, settlement: Settlement): Promise<boolean> {
    assertTransition(PaymentStatus.PENDING, settlement.status);
    // Only while still PENDING: the UPDATE locks the row and, after waiting for a twin's
    // settlement, checks the status again, so no SELECT ... FOR UPDATE before it is needed.
    const [, affected] = (await tx.query(
      prepared(`UPDATE payments SET status = $3, provider_ref = $4, failure_reason = $5, updated_at = now()
        WHERE id = $1 AND status = $2`),
      [
        paymentId,
        PaymentStatus.PENDING,
        settlement.status,
        settlement.status === PaymentStatus.SUCCEEDED ? settlement.providerRef : null,
        settlement.status === PaymentStatus.FAILED ? settlement.failureReason : null,
      ],
    )) as [unknown, number];
    return affected === 1;
  }

  /** Marks the order's intent cancelled (idempotent); false when orders.placed has not arrived yet. */
  async cancelIntent(tx: EntityManager, orderId: string): Promise<boolean> {
    const [, affected] = (await tx.query(
      prepared('UPDATE payment_intents SET cancelled_at = coalesce(cancelled_at, now()) WHERE order_id = $1'),
      [orderId],
    )) as [unknown, number];
    return affected === 1;
  }

  /**
   * Marks the order's intent cancelled, writing it cancelled when its
   * orders.placed never arrived (no card token then: nothing can be charged
   * from it, and a late orders.placed leaves it as it is).
   */
  async cancelOrRememberIntent(tx: EntityManager, order: Omit<NewIntent, 'cardToken'>): Promise<void> {
    await tx.query(
      prepared(`INSERT INTO payment_intents (order_id, user_id, amount_cents, currency, card_token, cancelled_at)
       VALUES ($1, $2, $3, $4, '', now())
       ON CONFLICT (order_id) DO UPDATE SET cancelled_at = coalesce(payment_intents.cancelled_at, now())`),
      [order.orderId, order.userId, order.amountCents, order.currency],
    );
  }

  async markRefunded(tx: EntityManager, paymentId: string, refundRef: string): Promise<PaymentRow> {
    const payment = await this.lockPayment(tx, paymentId);
    assertTransition(payment.status, PaymentStatus.REFUNDED);
    return tx
      .getRepository(PaymentRow)
      .save(Object.assign(payment, { status: PaymentStatus.REFUNDED, refundRef, updatedAt: new Date() }));
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

  /** The order's intent, locked until the transaction ends, with its latest payment; null before orders.placed. */
  private async lockIntent(tx: EntityManager, orderId: string): Promise<LockedIntent | null> {
    const [row] = (await tx.query(
      prepared(`SELECT i.card_token AS "cardToken", i.cancelled_at IS NOT NULL AS cancelled,
              p.id AS "paymentId", p.status, p.amount_cents AS "amountCents", p.currency
         FROM payment_intents i
         LEFT JOIN (
           SELECT id, status, amount_cents, currency FROM payments
            WHERE order_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1
         ) p ON true
        WHERE i.order_id = $1
          FOR UPDATE OF i`),
      [orderId],
    )) as IntentColumns[];
    if (!row) return null;
    const latest =
      row.paymentId === null
        ? null
        : { id: row.paymentId, status: row.status, amountCents: row.amountCents, currency: row.currency };
    return { cardToken: row.cardToken, cancelled: row.cancelled, latest };
  }

  /**
   * The PENDING payment, copied from the intent locked before. NOT EXISTS reads
   * a snapshot taken after that lock was granted, so it sees a payment a twin
   * delivery committed while this one waited for the lock; lockIntent's own
   * read, its snapshot older than the wait, can miss it (even one already
   * FAILED, which payments_order_live_key would not catch). Then this delivery
   * fails, and its retry finds the twin's payment instead of starting a second.
   */
  private async insertPending(tx: EntityManager, orderId: string): Promise<ChargedPayment> {
    const [payment] = (await tx.query(
      prepared(`INSERT INTO payments (order_id, user_id, amount_cents, currency, status)
       SELECT order_id, user_id, amount_cents, currency, $2 FROM payment_intents
        WHERE order_id = $1 AND NOT EXISTS (SELECT 1 FROM payments WHERE order_id = $1)
       RETURNING id, amount_cents AS "amountCents", currency`),
      [orderId, PaymentStatus.PENDING],
    )) as ChargedPayment[];
    if (!payment) throw new Error(`order ${orderId} got a payment from a twin delivery meanwhile; deciding again`);
    return payment;
  }

  private async lockPayment(tx: EntityManager, paymentId: string): Promise<PaymentRow> {
    return tx
      .getRepository(PaymentRow)
      .findOneOrFail({ where: { id: paymentId }, lock: { mode: 'pessimistic_write' } });
  }
}

/** lockIntent's row: the payment's columns are all null when the order has none yet. */
type IntentColumns = { cardToken: string; cancelled: boolean } & (
  | { paymentId: null }
  | { paymentId: string; status: PaymentStatus; amountCents: number; currency: string }
);
