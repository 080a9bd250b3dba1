import type { EventEnvelope } from '../../../platform/events/envelope';
import type { Commit, ConsumerSpec } from '../../../platform/events/eventConsumer';
import { appendToOutbox } from '../../../platform/events/outbox';
import { StockReserved } from '../../inventory/events/contracts';
import type { PaymentsDeps } from '../context';
import { PaymentStatus } from '../domain/PaymentStatus';
import { settlementOf } from '../domain/paymentRules';
import { PaymentFailed, PaymentSucceeded } from './contracts';
import { paymentEvent } from './paymentEvent';
import { RetryLaterError } from '../../../platform/events/envelope';

/** Stock is reserved: take the money. */
export function paymentsOnInventory(deps: PaymentsDeps): ConsumerSpec {
  return {
    name: 'payments-on-inventory',
    domain: 'inventory',
    handlers: { [StockReserved.type]: (event, commit) => chargeReservedOrder(deps, event, commit) },
    // A charge may be in flight (a PENDING payment): it settles, and an ended order's refund waits for it.
    retryUntilDone: [StockReserved.type],
  };
}

/**
 * PENDING payment (committed) -> provider charge, keyed by the payment id ->
 * SUCCEEDED or FAILED with its event (one commit). A crash or a provider fault
 * between the charge and the commit redelivers the event, which finds the same
 * PENDING payment and asks the provider again with the same key: one charge.
 */
async function chargeReservedOrder(deps: PaymentsDeps, event: EventEnvelope, commit: Commit): Promise<void> {
  const { orderId } = StockReserved.read(event);
  const attempt = await deps.saga.beginCharge(orderId);
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
  const result = await deps.provider.charge({
    idempotencyKey: payment.id,
    amountCents: payment.amountCents,
    currency,
    cardToken,
  });
  const settlement = settlementOf(result);
  await commit(async (tx) => {
    if (!(await deps.saga.settle(tx, payment.id, settlement))) return;
    const ids = { orderId, paymentId: payment.id };
    await appendToOutbox(
      tx,
      settlement.status === PaymentStatus.SUCCEEDED
        ? paymentEvent(PaymentSucceeded, event, { ...ids, amountCents: payment.amountCents, currency })
        : paymentEvent(PaymentFailed, event, { ...ids, reason: settlement.failureReason }),
    );
  });
}
