import {
  createReplyEvent,
  RetryLaterError,
  type EventContract,
  type EventEnvelope,
} from '../../platform/events/envelope';
import type { Commit } from '../../platform/events/EventConsumer';
import { appendToOutbox } from '../../platform/events/outbox';
import type { NewIntent, PaymentRepository } from './db/PaymentRepository';
import type { PaymentQueries } from './db/PaymentQueries';
import type { PaymentRow } from './db/PaymentRow';
import type { PaymentProvider } from './domain/PaymentProvider';
import { PaymentStatus } from './domain/PaymentStatus';
import { cancellationStep, settlementOf } from './domain/paymentRules';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from './events/contracts';

/**
 * payments' part of the order saga: remembers what to charge for an order,
 * charges it once its stock is reserved, and gives the money back when the
 * order ends otherwise. Each method runs in the consumer's transaction
 * (`commit`, with its inbox record): a provider call is made before it, never in it.
 */
export class PaymentService {
  constructor(
    private readonly queries: PaymentQueries,
    private readonly payments: PaymentRepository,
    private readonly provider: PaymentProvider,
  ) {}

  /** orders.placed: the intent to charge, idempotently. */
  async recordIntent(commit: Commit, intent: NewIntent): Promise<void> {
    await commit((tx) => this.payments.recordIntent(tx, intent));
  }

  /**
   * PENDING payment (committed) -> provider charge, keyed by the payment id ->
   * SUCCEEDED or FAILED with its event (one commit). A crash or a provider fault
   * between the charge and the commit redelivers the event, which finds the same
   * PENDING payment and asks the provider again with the same key: one charge.
   */
  async chargeReservedOrder(reserved: EventEnvelope, commit: Commit, orderId: string): Promise<void> {
    const attempt = await this.payments.beginCharge(orderId);
    if (attempt.step === 'await-intent') {
      // The two consumers read two streams: inventory.reserved may overtake orders.placed.
      throw new RetryLaterError(`order ${orderId} has no payment intent yet (orders.placed not handled)`);
    }
    if (attempt.step === 'skip-cancelled' || attempt.step === 'already-settled') {
      await commit(async () => undefined);
      return;
    }
    const { payment, cardToken } = attempt;
    const currency = payment.currency.trim();
    const result = await this.provider.charge({
      idempotencyKey: payment.id,
      amountCents: payment.amountCents,
      currency,
      cardToken,
    });
    const settlement = settlementOf(result);
    await commit(async (tx) => {
      if (!(await this.payments.settle(tx, payment.id, settlement))) return;
      const ids = { orderId, paymentId: payment.id };
      await appendToOutbox(
        tx,
        settlement.status === PaymentStatus.SUCCEEDED
          ? reply(PaymentSucceeded, reserved, { ...ids, amountCents: payment.amountCents, currency })
          : reply(PaymentFailed, reserved, { ...ids, reason: settlement.failureReason }),
      );
    });
  }

  /**
   * Marks the intent cancelled, so a reservation that comes later charges
   * nothing, and refunds a SUCCEEDED payment (provider first, keyed by the
   * payment, then REFUNDED + payments.refunded in one commit). A charge still
   * in flight is waited for: the event is retried until it has an outcome.
   * With `ended` (the order timed out), an intent that never arrived is written
   * as cancelled, so a late orders.placed finds the order over.
   */
  async refundEndedOrder(
    cause: EventEnvelope,
    commit: Commit,
    orderId: string,
    ended?: Omit<NewIntent, 'cardToken'>,
  ): Promise<void> {
    const seen = await this.queries.findLatestForOrder(orderId);
    if (cancellationStep(seen?.status ?? null) === 'await-charge') {
      throw new RetryLaterError(`order ${orderId} has a charge in flight; refund once it settled`);
    }
    const refund = seen && cancellationStep(seen.status) === 'refund' ? await this.refundAtProvider(seen) : null;
    await commit(async (tx) => {
      if (ended) await this.payments.cancelOrRememberIntent(tx, ended);
      else if (!(await this.payments.cancelIntent(tx, orderId))) {
        throw new RetryLaterError(`order ${orderId} has no payment intent yet (orders.placed not handled)`);
      }
      // Read again under the intent's lock: a charge may have started or ended since `seen`.
      const payment = await this.payments.lockLatestPayment(tx, orderId);
      const step = cancellationStep(payment?.status ?? null);
      if (!payment || step === 'nothing') return;
      if (step === 'await-charge' || payment.id !== refund?.paymentId) {
        throw new RetryLaterError(`the payment of order ${orderId} moved on; deciding again`);
      }
      await this.payments.markRefunded(tx, payment.id, refund.providerRef);
      await appendToOutbox(
        tx,
        reply(PaymentRefunded, cause, {
          orderId,
          paymentId: payment.id,
          amountCents: payment.amountCents,
          currency: payment.currency.trim(),
        }),
      );
    });
  }

  private async refundAtProvider(payment: PaymentRow): Promise<{ paymentId: string; providerRef: string }> {
    const { providerRef } = await this.provider.refund({
      idempotencyKey: `refund:${payment.id}`,
      // A SUCCEEDED payment always has its charge's reference (CHECK payments_settled_has_ref).
      providerRef: payment.providerRef as string,
      amountCents: payment.amountCents,
    });
    return { paymentId: payment.id, providerRef };
  }
}

/** payments' answer to an event, about the same order, in the cause's correlation. */
function reply<T extends { orderId: string }>(contract: EventContract<T>, cause: EventEnvelope, data: T) {
  return createReplyEvent(contract, cause, { source: 'payments', subject: data.orderId, data });
}
