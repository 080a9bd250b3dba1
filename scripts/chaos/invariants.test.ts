import { checkInvariants, type ClientView } from './invariants';
import type { RunSnapshot } from './readRunSnapshot';

const P1 = 'p1';
const P2 = 'p2';

/**
 * A run at rest that adds up: 10 + 5 units seeded; order a PAID (2 x P1),
 * b REJECTED (declined, its P2 released), c CANCELLED after it was paid
 * (refunded, its P1 restocked), d CANCELLED before it was paid.
 */
function consistentRun(): { snapshot: RunSnapshot; client: ClientView } {
  const order = (id: string, status: string, totalCents: number, rejectionReason: string | null = null) => ({
    id,
    userId: 'u1',
    status,
    rejectionReason,
    totalCents,
    idempotencyKey: `key-${id}`,
    cancelRequested: status === 'CANCELLED',
  });
  return {
    snapshot: {
      orders: [
        order('a', 'PAID', 200),
        order('b', 'REJECTED', 300, 'PAYMENT_DECLINED'),
        order('c', 'CANCELLED', 100),
        order('d', 'CANCELLED', 100),
      ],
      paidTwice: [],
      payments: [
        { id: 'pay-a', orderId: 'a', status: 'SUCCEEDED', amountCents: 200 },
        { id: 'pay-b', orderId: 'b', status: 'FAILED', amountCents: 300 },
        { id: 'pay-c', orderId: 'c', status: 'REFUNDED', amountCents: 100 },
      ],
      ledger: [
        {
          key: 'pay-a',
          kind: 'charge',
          outcome: 'succeeded',
          providerRef: 'ch-a',
          refundedRef: null,
          amountCents: 200,
        },
        { key: 'pay-b', kind: 'charge', outcome: 'declined', providerRef: null, refundedRef: null, amountCents: 300 },
        {
          key: 'pay-c',
          kind: 'charge',
          outcome: 'succeeded',
          providerRef: 'ch-c',
          refundedRef: null,
          amountCents: 100,
        },
        {
          key: 'refund:pay-c',
          kind: 'refund',
          outcome: 'succeeded',
          providerRef: 're-c',
          refundedRef: 'ch-c',
          amountCents: 100,
        },
      ],
      stock: [
        { productId: P1, onHand: 8, reserved: 0 },
        { productId: P2, onHand: 5, reserved: 0 },
      ],
      reservations: [
        { orderId: 'a', productId: P1, status: 'COMMITTED', quantity: 2 },
        { orderId: 'b', productId: P2, status: 'RELEASED', quantity: 3 },
        { orderId: 'c', productId: P1, status: 'RESTOCKED', quantity: 1 },
        { orderId: 'd', productId: P1, status: 'RELEASED', quantity: 1 },
      ],
      outboxPending: { users: null, products: null, inventory: 0, orders: 0, payments: 0 },
      deadLetters: { count: 0, samples: [] },
    },
    client: {
      products: [
        { id: P1, initialStock: 10 },
        { id: P2, initialStock: 5 },
      ],
      orders: ['a', 'b', 'c', 'd'].map((id) => ({ key: `key-${id}`, orderIds: [id] })),
    },
  };
}

/** The numbers (1..6) of the invariants that fail. */
function violated(run: { snapshot: RunSnapshot; client: ClientView }): number[] {
  return checkInvariants(run.snapshot, run.client)
    .filter((invariant) => !invariant.ok)
    .map((invariant) => Number(invariant.name.split(' ')[0]));
}

describe('the invariants of a chaos run', () => {
  it('all hold for a run whose orders, stock and money add up', () => {
    expect(violated(consistentRun())).toEqual([]);
  });

  it('find an order still in the saga, or one a client was given that orders does not know', () => {
    const stuck = consistentRun();
    stuck.snapshot.orders.push({ ...stuck.snapshot.orders[1], id: 'e', status: 'RESERVED', rejectionReason: null });
    expect(violated(stuck)).toContain(1);
    const lost = consistentRun();
    lost.client.orders.push({ key: 'key-x', orderIds: ['x'] });
    expect(violated(lost)).toEqual([1]);
  });

  it('find a second charge for one order, and a retry that got a second order', () => {
    const charged = consistentRun();
    charged.snapshot.payments.push({ id: 'pay-a2', orderId: 'a', status: 'FAILED', amountCents: 200 });
    charged.snapshot.ledger.push({ ...charged.snapshot.ledger[0], key: 'pay-a2', providerRef: 'ch-a2' });
    expect(violated(charged)).toEqual([2, 4]);
    const twice = consistentRun();
    twice.client.orders[0].orderIds.push('a2');
    expect(violated(twice)).toContain(2);
  });

  it('find stock that does not add up, and units an ended order still holds', () => {
    const off = consistentRun();
    off.snapshot.stock[1].onHand = 4;
    expect(violated(off)).toEqual([3]);
    const held = consistentRun();
    held.snapshot.reservations[1].status = 'RESERVED';
    held.snapshot.stock[1].reserved = 3;
    expect(violated(held)).toEqual([3]);
  });

  it('find money taken for an order that was rejected', () => {
    const run = consistentRun();
    run.snapshot.payments[1].status = 'SUCCEEDED';
    run.snapshot.ledger[1] = { ...run.snapshot.ledger[1], outcome: 'succeeded', providerRef: 'ch-b' };
    expect(violated(run)).toEqual([4]);
  });

  it('find an unpublished outbox row and a dead letter', () => {
    const run = consistentRun();
    run.snapshot.outboxPending.inventory = 2;
    run.snapshot.deadLetters = {
      count: 1,
      samples: [{ subject: 'x.deadletter.payments-on-inventory.inventory.reserved' }],
    };
    expect(violated(run)).toEqual([5, 6]);
  });
});
