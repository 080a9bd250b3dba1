/**
 * Where a payment is. A payment is created PENDING when the saga charges the
 * card, then SUCCEEDED or FAILED; a SUCCEEDED one becomes REFUNDED when its
 * order is cancelled. Stored as text in payments.status (CHECK lists the same four).
 */
export enum PaymentStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  REFUNDED = 'REFUNDED',
}
