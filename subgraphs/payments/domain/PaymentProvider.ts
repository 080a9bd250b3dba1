/**
 * The port to the card processor. Every call carries an idempotency key: the
 * same key always gets the same answer and never moves money twice, so a
 * caller that lost an answer (a timeout, a crash) asks again with the same key.
 * A transient fault (provider down, timeout) is a thrown error; a decline is
 * an answer, not an error.
 */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

export interface ChargeRequest {
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  cardToken: string;
}

export type ChargeResult = { outcome: 'succeeded'; providerRef: string } | { outcome: 'declined'; reason: string };

export interface RefundRequest {
  idempotencyKey: string;
  /** The charge's providerRef. */
  providerRef: string;
  amountCents: number;
}

export interface RefundResult {
  /** The refund's own reference at the provider. */
  providerRef: string;
}

/** Why a charge was declined: the payment's failure_reason and the payments.failed reason. */
export const DeclineReason = {
  /** The provider said no (test token "tok_decline"). */
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  /** Not a card token at all. */
  INVALID_CARD: 'INVALID_CARD',
} as const;

/** A transient fault: the provider may or may not have acted; ask again with the same key. */
export class PaymentProviderUnavailableError extends Error {
  override name = 'PaymentProviderUnavailableError';
}
