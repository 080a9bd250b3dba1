import { ReservationStatus } from './ReservationStatus';
import { closesOrder, stockChange, transitionFor, type SagaOutcome } from './reservationTransitions';

const { RESERVED, COMMITTED, RELEASED, RESTOCKED } = ReservationStatus;
const OUTCOMES: SagaOutcome[] = [
  'PAYMENT_SUCCEEDED',
  'PAYMENT_FAILED',
  'ORDER_CANCELLED',
  'ORDER_TIMED_OUT',
  'PAYMENT_REFUNDED',
];

function next(outcome: SagaOutcome, status: ReservationStatus): ReservationStatus | undefined {
  return transitionFor(outcome, status)?.to;
}

describe('reservation transitions', () => {
  it('sells reserved units when the payment succeeds: on hand and reserved both go down', () => {
    const sell = transitionFor('PAYMENT_SUCCEEDED', RESERVED)!;
    expect(sell.to).toBe(COMMITTED);
    expect(stockChange(sell, 3)).toEqual({ onHand: -3, reserved: -3 });
  });

  it('releases reserved units when the payment fails or the order is cancelled or timed out', () => {
    for (const outcome of ['PAYMENT_FAILED', 'ORDER_CANCELLED', 'ORDER_TIMED_OUT'] as const) {
      const release = transitionFor(outcome, RESERVED)!;
      expect(release.to).toBe(RELEASED);
      expect(stockChange(release, 4)).toEqual({ onHand: 0, reserved: -4 });
    }
  });

  it('restocks sold units when the payment is refunded, and releases units still reserved', () => {
    const restock = transitionFor('PAYMENT_REFUNDED', COMMITTED)!;
    expect(restock.to).toBe(RESTOCKED);
    expect(stockChange(restock, 2)).toEqual({ onHand: 2, reserved: 0 });
    expect(next('PAYMENT_REFUNDED', RESERVED)).toBe(RELEASED);
  });

  it('leaves sold units alone when the order is cancelled or timed out: the refund restocks them', () => {
    expect(transitionFor('ORDER_CANCELLED', COMMITTED)).toBeUndefined();
    expect(transitionFor('ORDER_TIMED_OUT', COMMITTED)).toBeUndefined();
    // Both end the order for a late orders.placed; the payment outcomes do not.
    expect(closesOrder('ORDER_TIMED_OUT') && closesOrder('ORDER_CANCELLED')).toBe(true);
    expect(closesOrder('PAYMENT_FAILED') || closesOrder('PAYMENT_REFUNDED')).toBe(false);
  });

  it('sells nothing for a payment that succeeds after the order was cancelled', () => {
    expect(transitionFor('PAYMENT_SUCCEEDED', RELEASED)).toBeUndefined();
  });

  it('never applies an outcome twice: the status it leads to has no transition for it', () => {
    for (const outcome of OUTCOMES) {
      for (const status of [RESERVED, COMMITTED, RELEASED, RESTOCKED]) {
        const to = next(outcome, status);
        if (to) expect(next(outcome, to)).toBeUndefined();
      }
    }
  });

  it('treats RELEASED and RESTOCKED as final', () => {
    for (const outcome of OUTCOMES) {
      expect(transitionFor(outcome, RELEASED)).toBeUndefined();
      expect(transitionFor(outcome, RESTOCKED)).toBeUndefined();
    }
  });

  it('starts every transition from the status it is listed under', () => {
    for (const outcome of OUTCOMES) {
      for (const status of [RESERVED, COMMITTED, RELEASED, RESTOCKED]) {
        const transition = transitionFor(outcome, status);
        if (transition) expect(transition.from).toBe(status);
      }
    }
  });
});
