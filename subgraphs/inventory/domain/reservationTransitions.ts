import { ReservationStatus } from './ReservationStatus';

/** What happened to an order, as far as its reserved stock is concerned. */
export type SagaOutcome =
  | 'PAYMENT_SUCCEEDED'
  | 'PAYMENT_FAILED'
  | 'ORDER_CANCELLED'
  | 'ORDER_TIMED_OUT'
  | 'PAYMENT_REFUNDED';

export interface ReservationTransition {
  from: ReservationStatus;
  to: ReservationStatus;
  /** Per unit of the line's quantity: how on_hand and reserved change. */
  perUnit: { onHand: number; reserved: number };
}

/** The units leave the shop: they are no longer on hand, nor reserved. */
const SELL: ReservationTransition = {
  from: ReservationStatus.RESERVED,
  to: ReservationStatus.COMMITTED,
  perUnit: { onHand: -1, reserved: -1 },
};

/** The units can be ordered again. */
const RELEASE: ReservationTransition = {
  from: ReservationStatus.RESERVED,
  to: ReservationStatus.RELEASED,
  perUnit: { onHand: 0, reserved: -1 },
};

/** Sold units came back with a refund. */
const RESTOCK: ReservationTransition = {
  from: ReservationStatus.COMMITTED,
  to: ReservationStatus.RESTOCKED,
  perUnit: { onHand: 1, reserved: 0 },
};

/**
 * Every status not listed for an outcome stays as it is: events can arrive
 * late or twice (a payment that succeeds after the order was cancelled finds
 * RELEASED and sells nothing), so each outcome moves only the status it expects.
 */
const TRANSITIONS: Record<SagaOutcome, Partial<Record<ReservationStatus, ReservationTransition>>> = {
  PAYMENT_SUCCEEDED: { [ReservationStatus.RESERVED]: SELL },
  PAYMENT_FAILED: { [ReservationStatus.RESERVED]: RELEASE },
  // A COMMITTED line stays sold: payments refunds the order and its payments.refunded restocks it.
  ORDER_CANCELLED: { [ReservationStatus.RESERVED]: RELEASE },
  // The same for an order the saga ended at its deadline: a reservation never outlives its order.
  ORDER_TIMED_OUT: { [ReservationStatus.RESERVED]: RELEASE },
  PAYMENT_REFUNDED: { [ReservationStatus.RESERVED]: RELEASE, [ReservationStatus.COMMITTED]: RESTOCK },
};

/**
 * Whether the outcome ends the order whatever has been reserved so far: an
 * orders.placed that comes after it (a retried delivery, a replayed dead
 * letter) must then reserve nothing.
 */
export function closesOrder(outcome: SagaOutcome): boolean {
  return outcome === 'ORDER_CANCELLED' || outcome === 'ORDER_TIMED_OUT';
}

/** The transition an outcome causes for a reservation in `status`, or undefined for none. */
export function transitionFor(outcome: SagaOutcome, status: ReservationStatus): ReservationTransition | undefined {
  return TRANSITIONS[outcome][status];
}

/** How a transition changes the stock of a line of `quantity` units. */
export function stockChange(transition: ReservationTransition, quantity: number): { onHand: number; reserved: number } {
  return { onHand: transition.perUnit.onHand * quantity, reserved: transition.perUnit.reserved * quantity };
}
