import { startSubgraphs, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { createPaymentsSubgraph } from '../definition';
import { PaymentStatus } from '../domain/PaymentStatus';
import { eventually, SagaWorld } from '../testing/SagaWorld';
import { PaymentRefunded, PaymentSucceeded } from './contracts';

/**
 * The provider's dice: every other call fails, alternately after the money
 * moved (its answer lost) and before the request arrived. Each call rolls once
 * for "fault?" (< rate) and, when it is one, once more for "after?" (>= 0.5).
 */
function alternatingFaults(): () => number {
  const dice = [0.1, 0.7, 0.9, 0.1, 0.2, 0.9];
  let next = 0;
  return () => dice[next++ % dice.length];
}

let h: SubgraphHarness;
let world: SagaWorld;

beforeAll(async () => {
  // Enough deliveries that a streak of faults is retried rather than dead-lettered.
  const payments = createPaymentsSubgraph({
    paymentProvider: { transientFailureRate: 0.5, latencyMs: 50 },
    random: alternatingFaults(),
  });
  h = await startSubgraphs([payments], { EVENTS_MAX_DELIVER: '20' });
  world = await SagaWorld.connect(h);
});
afterAll(async () => {
  await world?.close();
  await h?.stop();
});

describe('payments with an unreliable provider', () => {
  it('still charges each order exactly once when provider calls fail transiently', async () => {
    const orders = [world.newOrder(), world.newOrder(), world.newOrder()];
    const charges = await world.ledger('charge');
    const retried = await world.outcomes('payments-on-inventory', 'retried');

    for (const order of orders) {
      await world.placed(order);
      await world.reserved(order.orderId);
    }
    for (const order of orders) await world.probe.waitFor(PaymentSucceeded, (d) => d.orderId === order.orderId);

    expect(await world.outcomes('payments-on-inventory', 'retried')).toBeGreaterThan(retried);
    expect(await world.ledger('charge')).toBe(charges + orders.length);
    for (const order of orders) {
      const payments = await world.paymentsOf(order.orderId);
      expect(payments.map((p) => p.status)).toEqual([PaymentStatus.SUCCEEDED]);
      expect((await world.eventsAbout(order.orderId)).map((e) => e.type)).toEqual(['payments.succeeded']);
    }
  });

  it('waits for a charge still in flight when the order is cancelled, then refunds it once', async () => {
    const order = world.newOrder();
    const refunds = await world.ledger('refund');

    await world.placed(order);
    await world.reserved(order.orderId);
    await eventually(async () => (await world.paymentsOf(order.orderId)).length === 1);
    await world.cancelled(order, false);
    await world.probe.waitFor(PaymentRefunded, (d) => d.orderId === order.orderId, 20_000);

    const payments = await world.paymentsOf(order.orderId);
    expect(payments.map((p) => p.status)).toEqual([PaymentStatus.REFUNDED]);
    expect(await world.ledger('refund')).toBe(refunds + 1);
    expect((await world.eventsAbout(order.orderId)).map((e) => e.type)).toEqual([
      'payments.succeeded',
      'payments.refunded',
    ]);
  });
});
