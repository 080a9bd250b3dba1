import { OrderStatus } from './OrderStatus';

/** The saga's facts as orders sees them. */
export type SagaFact =
  | { kind: 'stockReserved' }
  | { kind: 'stockRejected' }
  | { kind: 'paymentSucceeded' }
  | { kind: 'paymentFailed'; reason: string }
  | { kind: 'paymentRefunded' }
  /** ORDER_DEADLINE passed before the order ended: the saga ends it itself. */
  | { kind: 'deadlinePassed' };

/** The rejection reason of an order the saga did not finish within ORDER_DEADLINE. */
export const TIMED_OUT = 'TIMED_OUT';

export interface OrderState {
  status: OrderStatus;
  /** The customer cancelled a PAID order; it ends CANCELLED once refunded. */
  cancelRequested: boolean;
}

export type Transition =
  | { kind: 'move'; status: OrderStatus; rejectionReason?: string }
  /** Nothing to do: the fact came after the order ended (a cancel won the race) or was already applied. */
  | { kind: 'ignore' }
  /** A fact that came before the one it follows (payment before reservation): try again later. */
  | { kind: 'notYet' };

/**
 * The order status machine (DESIGN.md "The order saga"):
 * PENDING -> RESERVED -> PAID, or REJECTED (OUT_OF_STOCK, PAYMENT_DECLINED,
 * TIMED_OUT when ORDER_DEADLINE passed first); CANCELLED by the customer, for
 * a PAID order once it is refunded.
 */
export function transition(state: OrderState, fact: SagaFact): Transition {
  const { status } = state;
  if (status === OrderStatus.CANCELLED || status === OrderStatus.REJECTED) return { kind: 'ignore' };
  switch (fact.kind) {
    case 'stockReserved':
      return status === OrderStatus.PENDING ? { kind: 'move', status: OrderStatus.RESERVED } : { kind: 'ignore' };
    case 'stockRejected':
      return status === OrderStatus.PENDING
        ? { kind: 'move', status: OrderStatus.REJECTED, rejectionReason: 'OUT_OF_STOCK' }
        : { kind: 'ignore' };
    case 'paymentSucceeded':
      if (status === OrderStatus.PENDING) return { kind: 'notYet' };
      return status === OrderStatus.RESERVED ? { kind: 'move', status: OrderStatus.PAID } : { kind: 'ignore' };
    case 'paymentFailed':
      if (status === OrderStatus.PENDING) return { kind: 'notYet' };
      return status === OrderStatus.RESERVED
        ? { kind: 'move', status: OrderStatus.REJECTED, rejectionReason: fact.reason }
        : { kind: 'ignore' };
    case 'paymentRefunded':
      return status === OrderStatus.PAID && state.cancelRequested
        ? { kind: 'move', status: OrderStatus.CANCELLED }
        : { kind: 'ignore' };
    case 'deadlinePassed':
      // A PAID order has ended; a cancel waiting for its refund is the customer's, not the saga's.
      return status === OrderStatus.PENDING || status === OrderStatus.RESERVED
        ? { kind: 'move', status: OrderStatus.REJECTED, rejectionReason: TIMED_OUT }
        : { kind: 'ignore' };
  }
}

export type CancelDecision =
  /** Nothing was charged yet: cancelled now, stock released by inventory. */
  | { kind: 'cancelNow' }
  /** Charged: the refund runs first; the order ends CANCELLED when it is done. */
  | { kind: 'refundFirst' }
  | { kind: 'refuse'; reason: string };

/** What cancelOrder does in each state. */
export function decideCancel(state: OrderState): CancelDecision {
  switch (state.status) {
    case OrderStatus.PENDING:
    case OrderStatus.RESERVED:
      return { kind: 'cancelNow' };
    case OrderStatus.PAID:
      return state.cancelRequested
        ? { kind: 'refuse', reason: 'The order is already being cancelled' }
        : { kind: 'refundFirst' };
    case OrderStatus.CANCELLED:
      return { kind: 'refuse', reason: 'The order is already cancelled' };
    case OrderStatus.REJECTED:
      return { kind: 'refuse', reason: 'A rejected order cannot be cancelled' };
  }
}
