import { randomUUID } from 'node:crypto';
import { EventProbe } from '../../../test/support/eventProbe';
import { startSubgraphs, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { OrderCancelled, OrderPlaced } from '../../orders/events/contracts';
import { PaymentSucceeded } from '../../payments/events/contracts';
import type { InventoryDeps } from '../context';
import type { OrderLine } from '../domain/planReservation';
import type { EventEnvelope } from '../../../platform/events/envelope';
import { StockChanged, StockReserved } from '../events/contracts';
import { eventually } from '../../../test/support/eventually';

export { eventually };

export const testUserId = randomUUID();
const admin = { id: randomUUID(), role: 'ADMIN' as const };

/** An orders.placed payload as orders writes it: lines sorted by product id. */
export function orderPlaced(items: OrderLine[]) {
  const sorted = [...items].sort((a, b) => (a.productId < b.productId ? -1 : 1));
  return {
    orderId: randomUUID() as string,
    userId: testUserId,
    items: sorted,
    amountCents: 1_000,
    currency: 'USD',
    cardToken: 'tok_visa',
  };
}

export function paymentOf(orderId: string) {
  return { orderId, paymentId: randomUUID(), amountCents: 1_000, currency: 'USD' };
}

/** For tests: arranges and inspects inventory's stock and drives it through its events. */
export class InventoryTestKit {
  private skus = 0;

  constructor(
    readonly h: SubgraphHarness,
    readonly probe: EventProbe,
  ) {}

  /** Starts the given subgraphs (inventory and what its tests need beside it) and a probe on their namespace. */
  static async start(definitions: Parameters<typeof startSubgraphs>[0]): Promise<InventoryTestKit> {
    const h = await startSubgraphs(definitions);
    return new InventoryTestKit(h, await EventProbe.connect(h.env.EVENTS_PREFIX!));
  }

  async stop(): Promise<void> {
    await this.probe.close();
    await this.h.stop();
  }

  get deps(): InventoryDeps {
    return this.h.services.inventory.deps as InventoryDeps;
  }

  /** Creates a product through products (an ADMIN's createProduct), which gives it its stock here. */
  async product(initialStock: number): Promise<string> {
    const res = await this.h.request<{ createProduct: { id: string } }>(
      'products',
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      { input: { sku: `SAGA-${++this.skus}`, name: `Saga item ${this.skus}`, price: 500, initialStock } },
      { user: admin },
    );
    if (res.errors) throw new Error(res.errors[0].message);
    return res.data!.createProduct.id;
  }

  async stockOf(productId: string): Promise<{ onHand: number; reserved: number }> {
    const [row] = (await this.h.services.inventory.runtime.dataSource.query(
      'SELECT on_hand AS "onHand", reserved FROM stock WHERE product_id = $1',
      [productId],
    )) as { onHand: number; reserved: number }[];
    return row;
  }

  /** What a client sees, through the subgraph's API. */
  async available(productId: string): Promise<number> {
    const res = await this.h.request<{ _entities: { available: number }[] }>(
      'inventory',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { available } } }`,
      { r: [{ __typename: 'Product', id: productId }] },
    );
    return res.data!._entities[0].available;
  }

  async reservationsOf(orderId: string): Promise<{ productId: string; quantity: number; status: string }[]> {
    return this.h.services.inventory.runtime.dataSource.query(
      'SELECT product_id AS "productId", quantity, status FROM reservations WHERE order_id = $1 ORDER BY product_id',
      [orderId],
    );
  }

  /** The inventory.stockChanged events in the outbox that list the product, oldest first. */
  async stockChangesOf(productId: string): Promise<EventEnvelope<ReturnType<typeof StockChanged.read>>[]> {
    const rows = (await this.h.services.inventory.runtime.dataSource.query(
      `SELECT envelope FROM outbox WHERE type = $1 AND envelope -> 'data' -> 'products' @> $2::jsonb ORDER BY seq`,
      [StockChanged.type, JSON.stringify([{ productId }])],
    )) as { envelope: EventEnvelope }[];
    return rows.map(({ envelope }) => ({ ...envelope, data: StockChanged.read(envelope) }));
  }

  /** What each inventory.stockChanged listing the product said it had available, oldest first. */
  async availableChangesOf(productId: string): Promise<number[]> {
    return (await this.stockChangesOf(productId)).map(
      (event) => event.data.products.find((p) => p.productId === productId)!.available,
    );
  }

  /** events_consumed_total of one consumer and event type with one outcome (done, duplicate, ...). */
  async consumed(consumer: string, type: string, outcome = 'done'): Promise<number> {
    const { values } = await this.h.services.inventory.runtime.events!.metrics.consumed.get();
    return values
      .filter((v) => v.labels.consumer === consumer && v.labels.type === type && v.labels.outcome === outcome)
      .reduce((sum, v) => sum + v.value, 0);
  }

  /** Acts, then waits until inventory has handled one more event of the type (with the outcome). */
  async andHandled(consumer: string, type: string, act: () => Promise<unknown>, outcome = 'done'): Promise<void> {
    const before = await this.consumed(consumer, type, outcome);
    await act();
    await eventually(async () => (await this.consumed(consumer, type, outcome)) > before);
  }

  async placeReservedOrder(items: OrderLine[]): Promise<string> {
    const data = orderPlaced(items);
    await this.probe.publish(OrderPlaced, data, { subject: data.orderId });
    await this.probe.waitFor(StockReserved, (d) => d.orderId === data.orderId);
    return data.orderId;
  }

  async paymentSucceeded(orderId: string): Promise<void> {
    await this.andHandled('inventory-on-payments', PaymentSucceeded.type, () =>
      this.probe.publish(PaymentSucceeded, paymentOf(orderId), { subject: orderId }),
    );
  }

  async orderCancelled(orderId: string, wasPaid: boolean): Promise<void> {
    await this.andHandled('inventory-on-orders', OrderCancelled.type, () =>
      this.probe.publish(OrderCancelled, { orderId, userId: testUserId, wasPaid }, { subject: orderId }),
    );
  }
}
