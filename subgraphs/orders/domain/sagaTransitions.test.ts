import { OrderStatus } from './OrderStatus';
import { decideCancel, transition, type SagaFact } from './sagaTransitions';

const at = (status: OrderStatus, cancelRequested = false) => ({ status, cancelRequested });

describe('the order status machine', () => {
  it('walks the happy path PENDING -> RESERVED -> PAID', () => {
    expect(transition(at(OrderStatus.PENDING), { kind: 'stockReserved' })).toEqual({
      kind: 'move',
      status: 'RESERVED',
    });
    expect(transition(at(OrderStatus.RESERVED), { kind: 'paymentSucceeded' })).toEqual({
      kind: 'move',
      status: 'PAID',
    });
  });

  it('rejects for missing stock or a declined payment, with the reason', () => {
    expect(transition(at(OrderStatus.PENDING), { kind: 'stockRejected' })).toEqual({
      kind: 'move',
      status: 'REJECTED',
      rejectionReason: 'OUT_OF_STOCK',
    });
    expect(transition(at(OrderStatus.RESERVED), { kind: 'paymentFailed', reason: 'PAYMENT_DECLINED' })).toEqual({
      kind: 'move',
      status: 'REJECTED',
      rejectionReason: 'PAYMENT_DECLINED',
    });
  });

  it('ends an order still PENDING or RESERVED at its deadline as REJECTED, TIMED_OUT, and leaves an ended one alone', () => {
    for (const status of [OrderStatus.PENDING, OrderStatus.RESERVED]) {
      expect(transition(at(status), { kind: 'deadlinePassed' })).toEqual({
        kind: 'move',
        status: 'REJECTED',
        rejectionReason: 'TIMED_OUT',
      });
    }
    for (const status of [OrderStatus.PAID, OrderStatus.REJECTED, OrderStatus.CANCELLED]) {
      expect(transition(at(status), { kind: 'deadlinePassed' })).toEqual({ kind: 'ignore' });
    }
    expect(transition(at(OrderStatus.PAID, true), { kind: 'deadlinePassed' })).toEqual({ kind: 'ignore' });
    // What comes after the timeout changes nothing: a late payment is refunded by payments, not applied.
    expect(transition(at(OrderStatus.REJECTED), { kind: 'paymentSucceeded' })).toEqual({ kind: 'ignore' });
  });

  it('waits for the reservation when the payment outcome arrives first', () => {
    expect(transition(at(OrderStatus.PENDING), { kind: 'paymentSucceeded' })).toEqual({ kind: 'notYet' });
    expect(transition(at(OrderStatus.PENDING), { kind: 'paymentFailed', reason: 'X' })).toEqual({ kind: 'notYet' });
  });

  it('ignores every fact once the order has ended, and repeated facts', () => {
    const facts: SagaFact[] = [
      { kind: 'stockReserved' },
      { kind: 'stockRejected' },
      { kind: 'paymentSucceeded' },
      { kind: 'paymentFailed', reason: 'PAYMENT_DECLINED' },
      { kind: 'paymentRefunded' },
    ];
    for (const ended of [OrderStatus.CANCELLED, OrderStatus.REJECTED]) {
      for (const fact of facts) expect(transition(at(ended), fact)).toEqual({ kind: 'ignore' });
    }
    expect(transition(at(OrderStatus.RESERVED), { kind: 'stockReserved' })).toEqual({ kind: 'ignore' });
    expect(transition(at(OrderStatus.PAID), { kind: 'paymentSucceeded' })).toEqual({ kind: 'ignore' });
  });

  it('cancels a PAID order only when its refund arrives after a cancel request', () => {
    expect(transition(at(OrderStatus.PAID), { kind: 'paymentRefunded' })).toEqual({ kind: 'ignore' });
    expect(transition(at(OrderStatus.PAID, true), { kind: 'paymentRefunded' })).toEqual({
      kind: 'move',
      status: 'CANCELLED',
    });
  });
});

describe('cancelling an order', () => {
  it('cancels at once before payment, refunds first after it, and refuses twice or after an end', () => {
    expect(decideCancel(at(OrderStatus.PENDING))).toEqual({ kind: 'cancelNow' });
    expect(decideCancel(at(OrderStatus.RESERVED))).toEqual({ kind: 'cancelNow' });
    expect(decideCancel(at(OrderStatus.PAID))).toEqual({ kind: 'refundFirst' });
    expect(decideCancel(at(OrderStatus.PAID, true)).kind).toBe('refuse');
    expect(decideCancel(at(OrderStatus.CANCELLED)).kind).toBe('refuse');
    expect(decideCancel(at(OrderStatus.REJECTED)).kind).toBe('refuse');
  });
});
