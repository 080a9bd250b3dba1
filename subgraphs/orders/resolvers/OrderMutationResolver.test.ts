import { randomUUID } from 'node:crypto';
import type { UserIdentity } from '../../../platform/auth/identity';
import { EventProbe } from '../../../test/support/eventProbe';
import { eventually } from '../../../test/support/eventually';
import { startSubgraphs, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { StockRejected, StockReserved } from '../../inventory/events/contracts';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from '../../payments/events/contracts';
import { productsSubgraph } from '../../products/definition';
import { ordersSubgraph } from '../definition';
import { OrderCancelled, OrderPlaced } from '../events/contracts';

const customer = (): UserIdentity => ({ id: randomUUID(), role: 'CUSTOMER' });

const PLACE = /* GraphQL */ `
  mutation ($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
      status
      total {
        amount
        currency
      }
      items {
        productName
        quantity
        unitPrice {
          amount
        }
      }
      history {
        status
      }
    }
  }
`;
const CANCEL = `mutation ($id: ID!) { cancelOrder(id: $id) { id status } }`;
const ORDER = `query ($id: ID!) { order(id: $id) { status rejectionReason history { status } } }`;

interface PlacedOrder {
  id: string;
  status: string;
  total: { amount: number; currency: string };
  items: { productName: string; quantity: number; unitPrice: { amount: number } }[];
}

let h: SubgraphHarness;
let probe: EventProbe;
let mug: string;
let pen: string;

/** Straight into the catalog: this suite plays inventory and payments itself, on the bus. */
async function createProduct(sku: string, name: string, price: number): Promise<string> {
  const [{ id }] = await h.services.products.runtime.dataSource.query(
    `INSERT INTO products (sku, name, price_cents, currency) VALUES ($1, $2, $3, 'USD') RETURNING id`,
    [sku, name, price],
  );
  return id as string;
}

async function place(user: UserIdentity, input: Record<string, unknown>) {
  return h.request<{ placeOrder: PlacedOrder }>('orders', PLACE, { input }, { user });
}

const visa = { cardToken: 'tok_visa' };

async function statusOf(user: UserIdentity, id: string) {
  return (
    await h.request<{ order: { status: string; rejectionReason: string | null; history: { status: string }[] } }>(
      'orders',
      ORDER,
      { id },
      { user },
    )
  ).data!.order;
}

/** Polls the order until it has the status (failing at the deadline); returns what was read then. */
async function orderReaching(user: UserIdentity, id: string, status: string) {
  let order: Awaited<ReturnType<typeof statusOf>> | undefined;
  await eventually(async () => (order = await statusOf(user, id)).status === status);
  return order!;
}

/** events_consumed_total of one of orders' consumers and an event type, with one outcome or any. */
async function consumed(consumer: string, type: string, outcome?: string): Promise<number> {
  const { values } = await h.services.orders.runtime.events!.metrics.consumed.get();
  return values
    .filter(
      (v) => v.labels.consumer === consumer && v.labels.type === type && (!outcome || v.labels.outcome === outcome),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

/** Acts, then waits until the consumer has handled one more event of the type (with the outcome, or any). */
async function andHandled(consumer: string, type: string, act: () => Promise<unknown>, outcome?: string) {
  const before = await consumed(consumer, type, outcome);
  await act();
  await eventually(async () => (await consumed(consumer, type, outcome)) > before);
}

beforeAll(async () => {
  h = await startSubgraphs([productsSubgraph, ordersSubgraph]);
  probe = await EventProbe.connect(h.env.EVENTS_PREFIX!);
  mug = await createProduct('MUG', 'Mug', 1299);
  pen = await createProduct('PEN', 'Pen', 150);
});
afterAll(async () => {
  await probe?.close();
  await h?.stop();
});

describe('placeOrder', () => {
  it('stores a PENDING order priced from the catalog and publishes orders.placed', async () => {
    const user = customer();
    const res = await place(user, {
      items: [
        { productId: pen, quantity: 2 },
        { productId: mug, quantity: 1 },
        { productId: pen, quantity: 1 },
      ],
      paymentMethod: visa,
    });
    expect(res.errors).toBeUndefined();
    const order = res.data!.placeOrder;
    expect(order.status).toBe('PENDING');
    expect(order.total).toEqual({ amount: 1299 + 3 * 150, currency: 'USD' });
    expect(order.items.map((i) => [i.productName, i.quantity, i.unitPrice.amount]).sort()).toEqual([
      ['Mug', 1, 1299],
      ['Pen', 3, 150],
    ]);

    const placed = await probe.waitFor(OrderPlaced, (d) => d.orderId === order.id);
    expect(placed.data).toMatchObject({ userId: user.id, amountCents: 1749, currency: 'USD', cardToken: 'tok_visa' });
    expect(placed.data.items).toEqual(
      [
        { productId: pen, quantity: 3 },
        { productId: mug, quantity: 1 },
      ].sort((a, b) => (a.productId < b.productId ? -1 : 1)),
    );
    expect(placed).toMatchObject({ source: 'orders', subject: order.id, version: 1 });
  });

  it('refuses bad orders with BAD_USER_INPUT and stores nothing', async () => {
    const user = customer();
    const cases = [
      { items: [], paymentMethod: visa },
      { items: [{ productId: mug, quantity: 0 }], paymentMethod: visa },
      { items: [{ productId: mug, quantity: 1001 }], paymentMethod: visa },
      { items: [{ productId: randomUUID(), quantity: 1 }], paymentMethod: visa },
      { items: [{ productId: 'not-an-id', quantity: 1 }], paymentMethod: visa },
      { items: Array.from({ length: 101 }, () => ({ productId: mug, quantity: 1 })), paymentMethod: visa },
      { items: [{ productId: mug, quantity: 1 }], paymentMethod: { cardToken: '' } },
    ];
    for (const input of cases) expect((await place(user, input)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const rows = await h.services.orders.runtime.dataSource.query('SELECT 1 FROM orders WHERE user_id = $1', [user.id]);
    expect(rows).toEqual([]);
  });

  it('treats an empty idempotency key as none', async () => {
    const user = customer();
    const input = { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa, idempotencyKey: '' };
    const first = await place(user, input);
    const second = await place(user, input);
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect(second.data?.placeOrder.id).not.toBe(first.data?.placeOrder.id);
  });

  it('needs a signed-in user', async () => {
    const res = await h.request('orders', PLACE, {
      input: { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa },
    });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('returns the first order for a repeated idempotency key, also when the calls race', async () => {
    const user = customer();
    const input = { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa, idempotencyKey: 'checkout-1' };
    const results = await Promise.all(Array.from({ length: 8 }, () => place(user, input)));
    const ids = new Set(results.map((r) => r.data?.placeOrder.id));
    expect(ids.size).toBe(1);
    const rows = await h.services.orders.runtime.dataSource.query('SELECT id FROM orders WHERE user_id = $1', [
      user.id,
    ]);
    expect(rows).toHaveLength(1);

    const other = await place(user, { ...input, items: [{ productId: mug, quantity: 2 }] });
    expect(other.errors?.[0].extensions?.code).toBe('CONFLICT');
    // Another user's key is their own.
    expect((await place(customer(), input)).errors).toBeUndefined();
  });
});

describe('the saga moves an order', () => {
  it('to RESERVED and PAID, with every step in its history', async () => {
    const user = customer();
    const id = (await place(user, { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa })).data!.placeOrder
      .id;
    await probe.publish(StockReserved, { orderId: id }, { subject: id });
    await orderReaching(user, id, 'RESERVED');
    await probe.publish(PaymentSucceeded, { orderId: id, paymentId: randomUUID(), amountCents: 1299, currency: 'USD' });
    const order = await orderReaching(user, id, 'PAID');
    expect(order.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
  });

  it('waits for the reservation when the payment outcome arrives first', async () => {
    const user = customer();
    const id = (await place(user, { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa })).data!.placeOrder
      .id;
    // Handled (in whatever way) before we look: a payment applied at once would show PAID here.
    await andHandled('orders-on-payments', PaymentSucceeded.type, () =>
      probe.publish(PaymentSucceeded, { orderId: id, paymentId: randomUUID(), amountCents: 1299, currency: 'USD' }),
    );
    expect((await statusOf(user, id)).history.map((c) => c.status)).toEqual(['PENDING']);
    await probe.publish(StockReserved, { orderId: id });
    const order = await orderReaching(user, id, 'PAID');
    expect(order.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
  });

  it('to REJECTED with OUT_OF_STOCK or PAYMENT_DECLINED', async () => {
    const user = customer();
    const short = (await place(user, { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa })).data!
      .placeOrder.id;
    await probe.publish(StockRejected, { orderId: short, reason: 'OUT_OF_STOCK', productIds: [mug] });
    expect(await orderReaching(user, short, 'REJECTED')).toMatchObject({
      rejectionReason: 'OUT_OF_STOCK',
    });

    const declined = (await place(user, { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa })).data!
      .placeOrder.id;
    await probe.publish(StockReserved, { orderId: declined });
    await orderReaching(user, declined, 'RESERVED');
    await probe.publish(PaymentFailed, { orderId: declined, paymentId: randomUUID(), reason: 'PAYMENT_DECLINED' });
    const order = await orderReaching(user, declined, 'REJECTED');
    expect(order).toMatchObject({ rejectionReason: 'PAYMENT_DECLINED' });
    expect(order.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'REJECTED']);
  });

  it('applies a fact delivered twice once', async () => {
    const user = customer();
    const id = (await place(user, { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa })).data!.placeOrder
      .id;
    const reserved = await probe.publish(StockReserved, { orderId: id });
    // The same event under another message id, so JetStream's dedupe window lets it through to the inbox.
    await andHandled(
      'orders-on-inventory',
      StockReserved.type,
      () => probe.publishEnvelope(reserved, `${reserved.id}-again`),
      'duplicate',
    );
    expect((await statusOf(user, id)).history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED']);
    const inbox = await h.services.orders.runtime.dataSource.query(
      'SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2',
      ['orders-on-inventory', reserved.id],
    );
    expect(inbox).toHaveLength(1);
  });
});

describe('cancelOrder', () => {
  it('cancels a PENDING order at once and publishes orders.cancelled; twice is a CONFLICT', async () => {
    const user = customer();
    const id = (await place(user, { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa })).data!.placeOrder
      .id;
    const res = await h.request<{ cancelOrder: { status: string } }>('orders', CANCEL, { id }, { user });
    expect(res.data?.cancelOrder.status).toBe('CANCELLED');
    const cancelled = await probe.waitFor(OrderCancelled, (d) => d.orderId === id);
    expect(cancelled.data).toEqual({ orderId: id, userId: user.id, wasPaid: false });
    const again = await h.request('orders', CANCEL, { id }, { user });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('refunds a PAID order first and cancels it when the refund is done', async () => {
    const user = customer();
    const id = (await place(user, { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa })).data!.placeOrder
      .id;
    await probe.publish(StockReserved, { orderId: id });
    await orderReaching(user, id, 'RESERVED');
    const paymentId = randomUUID();
    await probe.publish(PaymentSucceeded, { orderId: id, paymentId, amountCents: 1299, currency: 'USD' });
    await orderReaching(user, id, 'PAID');

    const res = await h.request<{ cancelOrder: { status: string } }>('orders', CANCEL, { id }, { user });
    expect(res.data?.cancelOrder.status).toBe('PAID');
    expect((await probe.waitFor(OrderCancelled, (d) => d.orderId === id)).data.wasPaid).toBe(true);
    expect((await h.request('orders', CANCEL, { id }, { user })).errors?.[0].extensions?.code).toBe('CONFLICT');

    await probe.publish(PaymentRefunded, { orderId: id, paymentId, amountCents: 1299, currency: 'USD' });
    const order = await orderReaching(user, id, 'CANCELLED');
    expect(order.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'PAID', 'CANCELLED']);
  });

  it('refuses a REJECTED order (CONFLICT), an order of someone else as an unknown one (NOT_FOUND), and an ADMIN (FORBIDDEN)', async () => {
    const user = customer();
    const id = (await place(user, { items: [{ productId: mug, quantity: 1 }], paymentMethod: visa })).data!.placeOrder
      .id;
    const bySomeoneElse = await h.request('orders', CANCEL, { id }, { user: customer() });
    const unknown = await h.request('orders', CANCEL, { id: randomUUID() }, { user: customer() });
    expect(bySomeoneElse.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(bySomeoneElse.errors?.[0].message).toBe(unknown.errors?.[0].message);
    expect(
      (await h.request('orders', CANCEL, { id }, { user: { id: randomUUID(), role: 'ADMIN' } })).errors?.[0].extensions
        ?.code,
    ).toBe('FORBIDDEN');
    await probe.publish(StockRejected, { orderId: id, reason: 'OUT_OF_STOCK', productIds: [mug] });
    await orderReaching(user, id, 'REJECTED');
    expect((await h.request('orders', CANCEL, { id }, { user })).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await h.request('orders', CANCEL, { id: randomUUID() }, { user })).errors?.[0].extensions?.code).toBe(
      'NOT_FOUND',
    );
  });
});
