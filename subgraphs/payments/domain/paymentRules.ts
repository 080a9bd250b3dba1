import type { ChargeResult } from './PaymentProvider';
import { PaymentStatus } from './PaymentStatus';

/**
 * The payment's state machine: PENDING -> SUCCEEDED | FAILED, SUCCEEDED -> REFUNDED.
 * FAILED and REFUNDED are final.
 */
const NEXT: Record<PaymentStatus, readonly PaymentStatus[]> = {
  [PaymentStatus.PENDING]: [PaymentStatus.SUCCEEDED, PaymentStatus.FAILED],
  [PaymentStatus.SUCCEEDED]: [PaymentStatus.REFUNDED],
  [PaymentStatus.FAILED]: [],
  [PaymentStatus.REFUNDED]: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT[from].includes(to);
}

export class IllegalPaymentTransitionError extends Error {
  override name = 'IllegalPaymentTransitionError';
  constructor(from: PaymentStatus, to: PaymentStatus) {
    super(`a ${from} payment cannot become ${to}`);
  }
}

export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  if (!canTransition(from, to)) throw new IllegalPaymentTransitionError(from, to);
}

/** What the provider's answer makes of a PENDING payment. */
export type Settlement =
  | { status: PaymentStatus.SUCCEEDED; providerRef: string }
  | { status: PaymentStatus.FAILED; failureReason: string };

export function settlementOf(result: ChargeResult): Settlement {
  return result.outcome === 'succeeded'
    ? { status: PaymentStatus.SUCCEEDED, providerRef: result.providerRef }
    : { status: PaymentStatus.FAILED, failureReason: result.reason };
}

/**
 * What stock reserved for an order asks of payments, given the order's
 * payment intent (null: orders.placed not handled yet) and its latest payment.
 * One payment attempt per order: once it ended (SUCCEEDED, FAILED, REFUNDED)
 * a redelivered or repeated reservation charges nothing.
 */
export type ChargeStep =
  /** The intent has not arrived yet: retry later. */
  | 'await-intent'
  /** Cancelled before any charge: take no money. */
  | 'skip-cancelled'
  /** The attempt ended before: nothing to do. */
  | 'already-settled'
  /** A PENDING payment exists (a charge in flight or interrupted): charge again with its key. */
  | 'resume'
  /** Create the PENDING payment, then charge. */
  | 'start';

export function chargeStep(intent: { cancelled: boolean } | null, latestPayment: PaymentStatus | null): ChargeStep {
  if (!intent) return 'await-intent';
  // Before looking at the cancellation: money may be on its way and must be settled
  // (and then refunded) rather than forgotten.
  if (latestPayment === PaymentStatus.PENDING) return 'resume';
  if (latestPayment !== null) return 'already-settled';
  return intent.cancelled ? 'skip-cancelled' : 'start';
}

/** What cancelling an order asks of payments, given its latest payment. */
export type CancellationStep =
  /** No money was taken (no payment, a failed one, or already refunded). */
  | 'nothing'
  /** A charge is in flight: wait for its outcome, then decide. */
  | 'await-charge'
  /** Money was taken: give it back. */
  | 'refund';

export function cancellationStep(latestPayment: PaymentStatus | null): CancellationStep {
  if (latestPayment === PaymentStatus.PENDING) return 'await-charge';
  if (latestPayment === PaymentStatus.SUCCEEDED) return 'refund';
  return 'nothing';
}
