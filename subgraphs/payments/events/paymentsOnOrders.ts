import type { EventEnvelope } from '../../../platform/events/envelope';
import type { Commit, ConsumerSpec } from '../../../platform/events/eventConsumer';
import { appendToOutbox } from '../../../platform/events/outbox';
import { OrderCancelled, OrderPlaced, OrderTimedOut } from '../../orders/events/contracts';
import type { PaymentsDeps } from '../context';
import type { NewIntent } from '../db/PaymentSagaRepository';
import type { PaymentRow } from '../db/PaymentRow';
import { cancellationStep } from '../domain/paymentRules';
import { PaymentRefunded } from './contracts';
import { paymentEvent } from './paymentEvent';
import { RetryLaterError } from '../../../platform/events/envelope';

/** An order is placed (remember what to charge), or cancelled or timed out (give back what was taken). */
export function paymentsOnOrders(deps: PaymentsDeps): ConsumerSpec {
  return {
    name: 'payments-on-orders',
    domain: 'orders',
    handlers: {
      [OrderPlaced.type]: (event, commit) => recordIntent(deps, event, commit),
      [OrderCancelled.type]: (event, commit) => {
        const { orderId } = OrderCancelled.read(event);
        return refundEndedOrder(deps, event, commit, orderId);
      },
      [OrderTimedOut.type]: (event, commit) => {
        const { orderId, userId, amountCents, currency } = OrderTimedOut.read(event);
        // The order may have timed out because its orders.placed never got here: remember it as ended.
        return refundEndedOrder(deps, event, commit, orderId, { orderId, userId, amountCents, currency });
      },
    },
    // A refund must happen, however long the provider is away.
    retryUntilDone: [OrderCancelled.type, OrderTimedOut.type],
  };
}

async function recordIntent(deps: PaymentsDeps, event: EventEnvelope, commit: Commit): Promise<void> {
  const { orderId, userId, amountCents, currency, cardToken } = OrderPlaced.read(event);
  await commit((tx) => deps.saga.recordIntent(tx, { orderId, userId, amountCents, currency, cardToken }));
}

/**
 * Marks the intent cancelled, so a reservation that comes later charges
 * nothing, and refunds a SUCCEEDED payment (provider first, keyed by the
 * payment, then REFUNDED + payments.refunded in one commit). A charge still
 * in flight is waited for: the event is retried until it has an outcome.
 * With `ended` (the order timed out), an intent that never arrived is written
 * as cancelled, so a late orders.placed finds the order over.
 */
async function refundEndedOrder(
  deps: PaymentsDeps,
  event: EventEnvelope,
  commit: Commit,
  orderId: string,
  ended?: Omit<NewIntent, 'cardToken'>,
): Promise<void> {
  const seen = await deps.saga.findLatestPayment(orderId);
  if (cancellationStep(seen?.status ?? null) === 'await-charge') {
    throw new RetryLaterError(`order ${orderId} has a charge in flight; refund once it settled`);
  }
  const refund = seen && cancellationStep(seen.status) === 'refund' ? await refundAtProvider(deps, seen) : null;
  await commit(async (tx) => {
    if (ended) await deps.saga.cancelOrRememberIntent(tx, ended);
    else if (!(await deps.saga.cancelIntent(tx, orderId))) {
      throw new RetryLaterError(`order ${orderId} has no payment intent yet (orders.placed not handled)`);
    }
    // Read again under the intent's lock: a charge may have started or ended since `seen`.
    const payment = await deps.saga.lockLatestPayment(tx, orderId);
    const step = cancellationStep(payment?.status ?? null);
    if (!payment || step === 'nothing') return;
    if (step === 'await-charge' || payment.id !== refund?.paymentId) {
      throw new RetryLaterError(`the payment of order ${orderId} moved on; deciding again`);
    }
    await deps.saga.markRefunded(tx, payment.id, refund.providerRef);
    await appendToOutbox(
      tx,
      paymentEvent(PaymentRefunded, event, {
        orderId,
        paymentId: payment.id,
        amountCents: payment.amountCents,
        currency: payment.currency.trim(),
      }),
    );
  });
}

async function refundAtProvider(
  deps: PaymentsDeps,
  payment: PaymentRow,
): Promise<{ paymentId: string; providerRef: string }> {
  const { providerRef } = await deps.provider.refund({
    idempotencyKey: `refund:${payment.id}`,
    // A SUCCEEDED payment always has its charge's reference (CHECK payments_settled_has_ref).
    providerRef: payment.providerRef as string,
    amountCents: payment.amountCents,
  });
  return { paymentId: payment.id, providerRef };
}
