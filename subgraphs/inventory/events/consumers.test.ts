import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../../platform/events/envelope';
import type { EventProbe } from '../../../test/support/eventProbe';
import { OrderPlaced } from '../../orders/events/contracts';
import { PaymentFailed, PaymentRefunded } from '../../payments/events/contracts';
import { productsSubgraph } from '../../products/definition';
import { inventorySubgraph } from '../definition';
import { eventually, InventoryTestKit, orderPlaced, paymentOf } from '../testing/InventoryTestKit';
import { StockChanged, StockRejected, StockReserved } from './contracts';

let kit: InventoryTestKit;
let probe: EventProbe;

beforeAll(async () => {
  kit = await InventoryTestKit.start([inventorySubgraph, productsSubgraph]);
  ({ probe } = kit);
});
afterAll(() => kit?.stop());

const byProduct = (a: { productId: string }, b: { productId: string }) => (a.productId < b.productId ? -1 : 1);

/** inventory's answers about an order in the saga (its inventory.stockChanged, for the gateway, aside). */
async function answersAbout(orderIds: ReadonlySet<string>): Promise<EventEnvelope[]> {
  return (await probe.events('inventory')).filter((e) => orderIds.has(e.subject) && e.type !== StockChanged.type);
}

describe('inventory on orders.placed', () => {
  it('reserves all lines of an order and publishes inventory.reserved', async () => {
    const [a, b] = [await kit.product(5), await kit.product(3)];
    const data = orderPlaced([
      { productId: a, quantity: 2 },
      { productId: b, quantity: 3 },
    ]);
    const placed = await probe.publish(OrderPlaced, data, { subject: data.orderId });

    const reserved = await probe.waitFor(StockReserved, (d) => d.orderId === data.orderId);
    expect(reserved).toMatchObject({
      source: 'inventory',
      subject: data.orderId,
      correlationId: placed.correlationId,
      data: { orderId: data.orderId },
    });
    expect(await kit.stockOf(a)).toEqual({ onHand: 5, reserved: 2 });
    expect(await kit.stockOf(b)).toEqual({ onHand: 3, reserved: 3 });
    expect([await kit.available(a), await kit.available(b)]).toEqual([3, 0]);
    expect(await kit.reservationsOf(data.orderId)).toEqual(
      [
        { productId: a, quantity: 2, status: 'RESERVED' },
        { productId: b, quantity: 3, status: 'RESERVED' },
      ].sort(byProduct),
    );
  });

  it('rejects an order when one line is short, reserves nothing and names that product in inventory.rejected', async () => {
    const [plenty, scarce] = [await kit.product(5), await kit.product(1)];
    const data = orderPlaced([
      { productId: plenty, quantity: 2 },
      { productId: scarce, quantity: 3 },
    ]);
    await probe.publish(OrderPlaced, data, { subject: data.orderId });

    const rejected = await probe.waitFor(StockRejected, (d) => d.orderId === data.orderId);
    expect(rejected.data).toEqual({ orderId: data.orderId, reason: 'OUT_OF_STOCK', productIds: [scarce] });
    expect(await kit.stockOf(plenty)).toEqual({ onHand: 5, reserved: 0 });
    expect(await kit.stockOf(scarce)).toEqual({ onHand: 1, reserved: 0 });
    expect(await kit.reservationsOf(data.orderId)).toEqual([]);
    expect((await probe.events('inventory')).filter((e) => e.subject === data.orderId)).toHaveLength(1);
  });

  it('rejects an order for a product it holds no stock of', async () => {
    const unknown = randomUUID();
    const data = orderPlaced([{ productId: unknown, quantity: 1 }]);
    await probe.publish(OrderPlaced, data, { subject: data.orderId });
    const rejected = await probe.waitFor(StockRejected, (d) => d.orderId === data.orderId);
    expect(rejected.data.productIds).toEqual([unknown]);
  });

  it('reserves exactly the 10 in stock among 35 orders published at once and rejects the other 25', async () => {
    const id = await kit.product(10);
    const orders = Array.from({ length: 35 }, () => orderPlaced([{ productId: id, quantity: 1 }]));
    const orderIds = new Set<string>(orders.map((o) => o.orderId));
    let overdrawn = false;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { onHand, reserved } = await kit.stockOf(id);
        if (reserved > onHand || reserved < 0) overdrawn = true;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    await Promise.all(orders.map((data) => probe.publish(OrderPlaced, data, { subject: data.orderId })));
    let answers: EventEnvelope[] = [];
    await eventually(async () => {
      answers = await answersAbout(orderIds);
      return answers.length >= orders.length;
    }, 15_000);
    sampling = false;
    await sampler;

    expect(answers.filter((e) => e.type === StockReserved.type)).toHaveLength(10);
    expect(answers.filter((e) => e.type === StockRejected.type)).toHaveLength(25);
    expect(answers).toHaveLength(35);
    expect(await kit.stockOf(id)).toEqual({ onHand: 10, reserved: 10 });
    expect(await kit.available(id)).toBe(0);
    expect(overdrawn).toBe(false);
  });

  it('reserves once when the same orders.placed is delivered twice', async () => {
    const id = await kit.product(5);
    const data = orderPlaced([{ productId: id, quantity: 2 }]);
    const placed = await probe.publish(OrderPlaced, data, { subject: data.orderId });
    await probe.waitFor(StockReserved, (d) => d.orderId === data.orderId);

    await kit.andHandled(
      'inventory-on-orders',
      OrderPlaced.type,
      () => probe.publishEnvelope(placed, 'other-msg-id'),
      'duplicate',
    );

    expect(await kit.stockOf(id)).toEqual({ onHand: 5, reserved: 2 });
    expect(await answersAbout(new Set([data.orderId]))).toHaveLength(1);
    // Its stock changed once too: the initial stock, then the reservation.
    expect(await kit.availableChangesOf(id)).toEqual([5, 3]);
  });
});

describe('inventory on the outcome of an order', () => {
  it('commits the reservation when the payment succeeds: on hand and reserved both go down', async () => {
    const id = await kit.product(5);
    const orderId = await kit.placeReservedOrder([{ productId: id, quantity: 2 }]);
    await kit.paymentSucceeded(orderId);
    expect(await kit.stockOf(id)).toEqual({ onHand: 3, reserved: 0 });
    expect(await kit.available(id)).toBe(3);
    expect(await kit.reservationsOf(orderId)).toEqual([{ productId: id, quantity: 2, status: 'COMMITTED' }]);

    // Another payments.succeeded for the order (another event id) sells nothing more.
    await kit.paymentSucceeded(orderId);
    expect(await kit.stockOf(id)).toEqual({ onHand: 3, reserved: 0 });
  });

  it('releases the reservation when the payment fails', async () => {
    const id = await kit.product(5);
    const orderId = await kit.placeReservedOrder([{ productId: id, quantity: 4 }]);
    const failed = { orderId, paymentId: randomUUID(), reason: 'PAYMENT_DECLINED' };
    await kit.andHandled('inventory-on-payments', PaymentFailed.type, () =>
      probe.publish(PaymentFailed, failed, { subject: orderId }),
    );
    expect(await kit.stockOf(id)).toEqual({ onHand: 5, reserved: 0 });
    expect(await kit.reservationsOf(orderId)).toEqual([{ productId: id, quantity: 4, status: 'RELEASED' }]);
  });

  it('releases the reservation when a reserved order is cancelled', async () => {
    const id = await kit.product(5);
    const orderId = await kit.placeReservedOrder([{ productId: id, quantity: 5 }]);
    expect(await kit.available(id)).toBe(0);
    await kit.orderCancelled(orderId, false);
    expect(await kit.stockOf(id)).toEqual({ onHand: 5, reserved: 0 });
    expect(await kit.available(id)).toBe(5);
    expect(await kit.reservationsOf(orderId)).toEqual([{ productId: id, quantity: 5, status: 'RELEASED' }]);
  });

  it('restocks a paid order when its payment is refunded, and not before', async () => {
    const id = await kit.product(5);
    const orderId = await kit.placeReservedOrder([{ productId: id, quantity: 2 }]);
    await kit.paymentSucceeded(orderId);
    await kit.orderCancelled(orderId, true);
    expect(await kit.stockOf(id)).toEqual({ onHand: 3, reserved: 0 });

    await kit.andHandled('inventory-on-payments', PaymentRefunded.type, () =>
      probe.publish(PaymentRefunded, paymentOf(orderId), { subject: orderId }),
    );
    expect(await kit.stockOf(id)).toEqual({ onHand: 5, reserved: 0 });
    expect(await kit.reservationsOf(orderId)).toEqual([{ productId: id, quantity: 2, status: 'RESTOCKED' }]);
  });

  it('sells no stock for an order cancelled before its payment succeeded', async () => {
    const id = await kit.product(5);
    const orderId = await kit.placeReservedOrder([{ productId: id, quantity: 3 }]);
    await kit.orderCancelled(orderId, false);
    await kit.paymentSucceeded(orderId);
    expect(await kit.stockOf(id)).toEqual({ onHand: 5, reserved: 0 });
    expect(await kit.reservationsOf(orderId)).toEqual([{ productId: id, quantity: 3, status: 'RELEASED' }]);
  });

  it('reserves nothing for an order whose cancel got here before its orders.placed (a retried delivery)', async () => {
    const id = await kit.product(5);
    const data = orderPlaced([{ productId: id, quantity: 3 }]);
    await kit.orderCancelled(data.orderId, false);
    await kit.andHandled('inventory-on-orders', OrderPlaced.type, () =>
      probe.publish(OrderPlaced, data, { subject: data.orderId }),
    );
    expect(await kit.stockOf(id)).toEqual({ onHand: 5, reserved: 0 });
    expect(await kit.reservationsOf(data.orderId)).toEqual([]);
    expect((await probe.events('inventory')).filter((e) => e.subject === data.orderId)).toEqual([]);
  });

  it('handles a payment for an order it never reserved without changing any stock', async () => {
    const id = await kit.product(5);
    // Stock another order holds: what a payment settling the wrong order's reservations would sell.
    const held = await kit.placeReservedOrder([{ productId: id, quantity: 2 }]);
    await kit.paymentSucceeded(randomUUID());
    expect(await kit.stockOf(id)).toEqual({ onHand: 5, reserved: 2 });
    expect(await kit.reservationsOf(held)).toEqual([{ productId: id, quantity: 2, status: 'RESERVED' }]);
  });
});
