import { randomUUID } from 'node:crypto';
import { OrderPlaced } from '../../orders/events/contracts';
import { PaymentFailed, PaymentRefunded } from '../../payments/events/contracts';
import { productsSubgraph } from '../../products/definition';
import { inventorySubgraph } from '../definition';
import { InventoryTestKit, orderPlaced, paymentOf } from '../testing/InventoryTestKit';
import { StockRejected } from './contracts';

let kit: InventoryTestKit;

beforeAll(async () => {
  kit = await InventoryTestKit.start([inventorySubgraph, productsSubgraph]);
});
afterAll(() => kit?.stop());

const admin = { id: randomUUID(), role: 'ADMIN' as const };

describe('inventory.stockChanged', () => {
  it("is written with a product's initial stock, and not for a product created with none", async () => {
    const stocked = await kit.product(5);
    const empty = await kit.product(0);
    const [initial] = await kit.stockChangesOf(stocked);
    expect(initial).toMatchObject({ source: 'inventory', subject: stocked });
    expect(initial.data.products).toEqual([{ productId: stocked, available: 5 }]);
    expect(await kit.stockChangesOf(empty)).toEqual([]);
  });

  it('is written once for a reservation, listing every product it took units of, with what each has left', async () => {
    const [a, b] = [await kit.product(5), await kit.product(3)];
    const orderId = await kit.placeReservedOrder([
      { productId: a, quantity: 2 },
      { productId: b, quantity: 3 },
    ]);
    const reserved = (await kit.stockChangesOf(a)).filter((e) => e.subject === orderId);
    expect(reserved).toHaveLength(1);
    expect(reserved[0]).toMatchObject({ source: 'inventory', correlationId: orderId });
    expect(reserved[0].data.products).toEqual(
      [
        { productId: a, available: 3 },
        { productId: b, available: 0 },
      ].sort((x, y) => (x.productId < y.productId ? -1 : 1)),
    );
  });

  it('is not written for an order rejected for lack of stock', async () => {
    const [plenty, scarce] = [await kit.product(5), await kit.product(1)];
    const data = orderPlaced([
      { productId: plenty, quantity: 2 },
      { productId: scarce, quantity: 3 },
    ]);
    await kit.probe.publish(OrderPlaced, data, { subject: data.orderId });
    await kit.probe.waitFor(StockRejected, (d) => d.orderId === data.orderId);
    expect(await kit.availableChangesOf(plenty)).toEqual([5]);
    expect(await kit.availableChangesOf(scarce)).toEqual([1]);
  });

  it('is written when a failed payment releases the reservation, and not when a sale commits one', async () => {
    const id = await kit.product(5);
    const failed = await kit.placeReservedOrder([{ productId: id, quantity: 4 }]);
    await kit.andHandled('inventory-on-payments', PaymentFailed.type, () =>
      kit.probe.publish(
        PaymentFailed,
        { orderId: failed, paymentId: randomUUID(), reason: 'PAYMENT_DECLINED' },
        { subject: failed },
      ),
    );
    expect(await kit.availableChangesOf(id)).toEqual([5, 1, 5]);

    const sold = await kit.placeReservedOrder([{ productId: id, quantity: 2 }]);
    await kit.paymentSucceeded(sold);
    expect(await kit.availableChangesOf(id)).toEqual([5, 1, 5, 3]);
  });

  it("is written when a cancel releases a reservation and when a refund restocks a sale's units", async () => {
    const id = await kit.product(5);
    const cancelled = await kit.placeReservedOrder([{ productId: id, quantity: 3 }]);
    await kit.orderCancelled(cancelled, false);
    expect(await kit.availableChangesOf(id)).toEqual([5, 2, 5]);

    const refunded = await kit.placeReservedOrder([{ productId: id, quantity: 2 }]);
    await kit.paymentSucceeded(refunded);
    await kit.orderCancelled(refunded, true);
    await kit.andHandled('inventory-on-payments', PaymentRefunded.type, () =>
      kit.probe.publish(PaymentRefunded, paymentOf(refunded), { subject: refunded }),
    );
    expect(await kit.availableChangesOf(id)).toEqual([5, 2, 5, 3, 5]);
  });

  it('is written for a restock, with what is available after it', async () => {
    const id = await kit.product(2);
    await kit.placeReservedOrder([{ productId: id, quantity: 1 }]);
    const res = await kit.h.request(
      'inventory',
      `mutation($id: ID!) { restock(productId: $id, quantity: 3) { id } }`,
      { id },
      { user: admin },
    );
    expect(res.errors).toBeUndefined();
    const changes = await kit.stockChangesOf(id);
    expect(changes.map((e) => e.data.products[0].available)).toEqual([2, 1, 4]);
    expect(changes.at(-1)).toMatchObject({ subject: id, correlationId: id });
  });
});
