import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { SubgraphHarness } from '../../test/support/subgraphHarness';
import { productsSubgraph } from '../products/definition';
import { inventorySubgraph } from './definition';
import type { OrderLine } from './domain/planReservation';
import { InventoryTestKit } from './testing/InventoryTestKit';

let h: SubgraphHarness;
let kit: InventoryTestKit;

beforeAll(async () => {
  kit = await InventoryTestKit.start([inventorySubgraph, productsSubgraph]);
  ({ h } = kit);
});
afterAll(() => kit?.stop());

/** Runs `work` in a transaction and counts the SQL statements it sends. */
async function countStatements(work: (tx: EntityManager) => Promise<unknown>): Promise<number> {
  return h.services.inventory.runtime.dataSource.transaction(async (tx) => {
    const query = jest.spyOn(tx, 'query');
    await work(tx);
    return query.mock.calls.length;
  });
}

function addUp(totals: Map<string, number>, lines: { productId: string; quantity: number }[]): void {
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
}

describe('ReservationService under concurrency', () => {
  it('never oversells nor deadlocks when 40 transactions reserve, sell and release overlapping products at once', async () => {
    // As several inventory replicas would: one transaction per order, all in parallel.
    const { dataSource } = h.services.inventory.runtime;
    const { reservationService: reservations } = kit.deps;
    const products = [await kit.product(10), await kit.product(10), await kit.product(10)];
    const orders = Array.from({ length: 40 }, (_, i) => ({
      orderId: randomUUID(),
      // Lines in either order: the service locks by product id whatever the event says.
      items: [products[i % 3], products[(i + 1) % 3]].map((productId) => ({ productId, quantity: 1 + (i % 2) })),
    }));

    const results = await Promise.all(
      orders.map((o) => dataSource.transaction((tx) => reservations.reserve(tx, o.orderId, o.items))),
    );

    const reserved = orders.filter((_, i) => results[i].outcome === 'reserved');
    expect(reserved.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.outcome === 'rejected').length).toBeGreaterThan(0);
    const reservedUnits = new Map<string, number>();
    for (const o of reserved) addUp(reservedUnits, o.items);
    for (const p of products) {
      expect(await kit.stockOf(p)).toEqual({ onHand: 10, reserved: reservedUnits.get(p) ?? 0 });
      expect(reservedUnits.get(p) ?? 0).toBeLessThanOrEqual(10);
    }

    // Half of them paid, half cancelled, all at once: what was sold is gone, nothing is below zero.
    await Promise.all(
      reserved.map((o, i) =>
        dataSource.transaction((tx) =>
          reservations.settle(tx, o.orderId, i % 2 === 0 ? 'PAYMENT_SUCCEEDED' : 'ORDER_CANCELLED'),
        ),
      ),
    );
    const sold = new Map<string, number>();
    for (const o of reserved.filter((_, i) => i % 2 === 0)) addUp(sold, o.items);
    for (const p of products) expect(await kit.stockOf(p)).toEqual({ onHand: 10 - (sold.get(p) ?? 0), reserved: 0 });
  });

  it('applies an outcome once however often it is applied, each in its own transaction', async () => {
    const { dataSource } = h.services.inventory.runtime;
    const { reservationService: reservations } = kit.deps;
    const id = await kit.product(5);
    const orderId = randomUUID();
    await dataSource.transaction((tx) => reservations.reserve(tx, orderId, [{ productId: id, quantity: 2 }]));

    const moves = await Promise.all(
      Array.from({ length: 5 }, () =>
        dataSource.transaction((tx) => reservations.settle(tx, orderId, 'PAYMENT_SUCCEEDED')),
      ),
    );

    expect(moves.flat()).toEqual([{ productId: id, quantity: 2, from: 'RESERVED', to: 'COMMITTED' }]);
    expect(await kit.stockOf(id)).toEqual({ onHand: 3, reserved: 0 });
  });

  it('reserves nothing again for an order it has reserved before (its orders.placed sent again under a new id)', async () => {
    const { dataSource } = h.services.inventory.runtime;
    const { reservationService: reservations } = kit.deps;
    const id = await kit.product(5);
    const orderId = randomUUID();
    const lines = [{ productId: id, quantity: 2 }];
    await dataSource.transaction((tx) => reservations.reserve(tx, orderId, lines));

    const again = await dataSource.transaction((tx) => reservations.reserve(tx, orderId, lines));

    expect(again).toEqual({ outcome: 'known' });
    expect(await kit.stockOf(id)).toEqual({ onHand: 5, reserved: 2 });
  });

  it('leaves nothing reserved when an order is cancelled while its orders.placed is being handled', async () => {
    const { dataSource } = h.services.inventory.runtime;
    const { reservationService: reservations } = kit.deps;
    const id = await kit.product(100);
    const orderIds = Array.from({ length: 20 }, () => randomUUID());

    // Either the reservation comes first and the cancel releases it, or the cancel
    // comes first and the reservation finds the order cancelled; never a stale read of either.
    await Promise.all(
      orderIds.flatMap((orderId) => [
        dataSource.transaction((tx) => reservations.reserve(tx, orderId, [{ productId: id, quantity: 1 }])),
        dataSource.transaction((tx) => reservations.settle(tx, orderId, 'ORDER_CANCELLED')),
      ]),
    );

    expect(await kit.stockOf(id)).toEqual({ onHand: 100, reserved: 0 });
  });

  it('reserves an order in five SQL statements and sells it in three, however many lines it has', async () => {
    // Each statement costs Node, Postgres and the network a round trip: the saga's
    // throughput depends on how few an order takes (scripts/bench counts them).
    const { reservationService: reservations } = kit.deps;
    for (const lineCount of [1, 4]) {
      const orderId = randomUUID();
      const lines: OrderLine[] = [];
      for (let i = 0; i < lineCount; i++) lines.push({ productId: await kit.product(5), quantity: 2 });

      expect(await countStatements((tx) => reservations.reserve(tx, orderId, lines))).toBe(5);
      expect(await countStatements((tx) => reservations.settle(tx, orderId, 'PAYMENT_SUCCEEDED'))).toBe(3);
      // A payments.succeeded again (under another event id) moves nothing, so it changes no stock either.
      expect(await countStatements((tx) => reservations.settle(tx, orderId, 'PAYMENT_SUCCEEDED'))).toBe(2);
      for (const line of lines) expect(await kit.stockOf(line.productId)).toEqual({ onHand: 3, reserved: 0 });
    }
  });
});
