import { randomUUID } from 'node:crypto';
import {
  CancelOrderDocument,
  CreateProductDocument,
  LogInDocument,
  OrderByIdDocument,
  PlaceOrderDocument,
  ProductByIdDocument,
  SignUpDocument,
  type OrderByIdQuery,
} from '../../client/generated/graphql';
import { StockReserved } from '../../subgraphs/inventory/events/contracts';
import { OrderPlaced } from '../../subgraphs/orders/events/contracts';
import { EventProbe } from '../support/eventProbe';
import { startSupergraph, type Supergraph } from '../support/supergraph';
import { TestNatsServer } from '../support/testNatsServer';

type Order = NonNullable<OrderByIdQuery['order']>;

let nats: TestNatsServer;
let sg: Supergraph;
let probe: EventProbe;
let adminToken: string;
let customerToken: string;
/** Every unit a product was given (initial stock and restocks), for the invariant check. */
const stockGiven = new Map<string, number>();

const ENDED = new Set(['PAID', 'REJECTED', 'CANCELLED']);

beforeAll(async () => {
  // The saga's own NATS, so one test can take it away without touching anyone else's.
  nats = await TestNatsServer.start();
  sg = await startSupergraph({
    NATS_URL: nats.url,
    EVENTS_MAX_DELIVER: '3',
    EVENTS_ACK_WAIT_MS: '5000',
    // This suite is about what the saga does with every order it takes (one test races 50 at once
    // for 10 units): admission control, which would refuse some of them on a busy machine, is off.
    // It has its own test (subgraphs/orders/SagaAdmission.test.ts) and is on in the bench.
    SAGA_TARGET_MS: '0',
  });
  probe = await EventProbe.connect(sg.env.EVENTS_PREFIX, nats.url);
  adminToken = (await sg.execute(LogInDocument, { email: 'admin@example.com', password: 'test-admin-password' })).data!
    .logIn.token;
  customerToken = (
    await sg.execute(SignUpDocument, {
      input: { email: 'buyer@example.com', password: 'buyer password', name: 'Buyer' },
    })
  ).data!.signUp.token;
}, 200_000);

afterAll(async () => {
  await probe?.close();
  await sg?.stop();
  await nats?.remove();
});

async function newProduct(stock: number, price = 1000): Promise<string> {
  const sku = `SAGA-${randomUUID().slice(0, 8)}`;
  const res = await sg.execute(
    CreateProductDocument,
    { input: { sku, name: sku, price, initialStock: stock } },
    adminToken,
  );
  const id = res.data!.createProduct.id;
  stockGiven.set(id, stock);
  return id;
}

async function available(productId: string): Promise<number> {
  return (await sg.execute(ProductByIdDocument, { id: productId })).data!.product!.available;
}

async function place(productId: string, quantity: number, cardToken = 'tok_visa', token = customerToken) {
  const res = await sg.execute(
    PlaceOrderDocument,
    { input: { items: [{ productId, quantity }], paymentMethod: { cardToken } } },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.placeOrder;
}

async function order(id: string, token = customerToken): Promise<Order> {
  return (await sg.execute(OrderByIdDocument, { id }, token)).data!.order!;
}

/**
 * Polls until the order reaches one of the statuses, in a complete answer unless `partial`:
 * right after a test stopped a service, the gateway's breaker may still refuse its part (order.payment).
 */
async function until(
  id: string,
  statuses: string[] | Set<string>,
  timeoutMs = 20_000,
  { partial = false } = {},
): Promise<Order> {
  const wanted = new Set(statuses);
  const deadline = Date.now() + timeoutMs;
  // Quick at first, then backing off: many orders polled at once must stay within the user's rate limit.
  let pollMs = 25;
  for (;;) {
    const res = await sg.execute(OrderByIdDocument, { id }, customerToken);
    const current = res.data!.order!;
    if (wanted.has(current.status) && (partial || !res.errors)) return current;
    if (Date.now() > deadline) {
      throw new Error(`order ${id} is ${current.status}, not ${[...wanted].join('/')}: ${JSON.stringify(res.errors)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    pollMs = Math.min(pollMs * 1.5, 500);
  }
}

describe('the order saga through the gateway', () => {
  it('takes an order to PAID within seconds, with stock and payment in agreement', async () => {
    const product = await newProduct(20, 1250);
    const placed = await place(product, 2);
    expect(placed).toMatchObject({ status: 'PENDING', total: { amount: 2500, currency: 'USD' } });
    const started = Date.now();
    const paid = await until(placed.id, ['PAID']);
    console.log(`placeOrder -> PAID in ${Date.now() - started} ms`);
    expect(paid.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
    expect(paid.payment).toMatchObject({ status: 'SUCCEEDED', amount: { amount: 2500, currency: 'USD' } });
    expect(paid.items[0]).toMatchObject({ productName: expect.any(String), quantity: 2, product: { id: product } });
    expect(await available(product)).toBe(18);
  });

  it('rejects an order whose card is declined and gives its stock back', async () => {
    const product = await newProduct(5);
    const placed = await place(product, 3, 'tok_decline');
    const rejected = await until(placed.id, ENDED);
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
    expect(rejected.payment?.status).toBe('FAILED');
    expect(await available(product)).toBe(5);
  });

  it('rejects an order there is not enough stock for and reserves nothing', async () => {
    const product = await newProduct(2);
    const placed = await place(product, 3);
    const rejected = await until(placed.id, ENDED);
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK', payment: null });
    expect(await available(product)).toBe(2);
  });

  it('cancels an order before payment: stock released, no money kept', async () => {
    const product = await newProduct(4);
    // With payments away the order stops at RESERVED: the window a customer cancels in.
    await sg.stopService('payments');
    let cancelledId: string;
    try {
      const placed = await place(product, 3);
      cancelledId = placed.id;
      // payments is stopped: the order's payment part of the answer is an error.
      await until(placed.id, ['RESERVED'], 20_000, { partial: true });
      const res = await sg.execute(CancelOrderDocument, { id: placed.id }, customerToken);
      expect(res.data?.cancelOrder.status).toBe('CANCELLED');
      for (let i = 0; i < 200 && (await available(product)) !== 4; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await available(product)).toBe(4);
    } finally {
      await sg.restart('payments');
    }
    // payments catches up on both streams. Had it charged before it saw the cancel (the two
    // arrive on different streams), the cancel refunds: no money is kept either way.
    const deadline = Date.now() + 15_000;
    let payments: { status: string }[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      payments = await sg.sql('payments', 'SELECT status FROM payments WHERE order_id = $1', [cancelledId]);
    } while (payments.some((p) => p.status === 'PENDING' || p.status === 'SUCCEEDED') && Date.now() < deadline);
    expect(payments.every((p) => p.status === 'REFUNDED')).toBe(true);
    expect((await order(cancelledId)).status).toBe('CANCELLED');
    expect(await available(product)).toBe(4);
  });

  it('cancels a PAID order by refunding it, then restocks', async () => {
    const product = await newProduct(6, 700);
    const placed = await place(product, 2);
    await until(placed.id, ['PAID']);
    const res = await sg.execute(CancelOrderDocument, { id: placed.id }, customerToken);
    expect(res.data?.cancelOrder.status).toBe('PAID');
    const cancelled = await until(placed.id, ['CANCELLED']);
    expect(cancelled.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'PAID', 'CANCELLED']);
    expect(cancelled.payment?.status).toBe('REFUNDED');
    expect(await available(product)).toBe(6);
    const again = await sg.execute(CancelOrderDocument, { id: placed.id }, customerToken);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('sells exactly 10 of 10 to 50 concurrent orders, never going negative', async () => {
    const product = await newProduct(10);
    const started = Date.now();
    const orders = await Promise.all(Array.from({ length: 50 }, () => place(product, 1)));
    const ended = await Promise.all(orders.map((o) => until(o.id, ENDED, 60_000)));
    const seconds = (Date.now() - started) / 1000;
    console.log(`50 concurrent orders ended in ${seconds.toFixed(2)} s (${(50 / seconds).toFixed(1)} orders/s)`);
    expect(ended.filter((o) => o.status === 'PAID')).toHaveLength(10);
    expect(ended.filter((o) => o.status === 'REJECTED' && o.rejectionReason === 'OUT_OF_STOCK')).toHaveLength(40);
    expect(await available(product)).toBe(0);
    const [stock] = await sg.sql<{ on_hand: number; reserved: number }>(
      'inventory',
      'SELECT on_hand, reserved FROM stock WHERE product_id = $1',
      [product],
    );
    expect(stock).toEqual({ on_hand: 0, reserved: 0 });
  });
});

describe('the saga under faults', () => {
  it('takes orders while NATS is down and completes them when it returns', async () => {
    const product = await newProduct(10);
    await nats.stop();
    let ids: string[];
    try {
      ids = [];
      for (let i = 0; i < 5; i++) ids.push((await place(product, 1)).id);
      const pending = await sg.sql<{ count: number }>(
        'orders',
        'SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL',
      );
      expect(pending[0].count).toBeGreaterThanOrEqual(5);
      for (const id of ids) expect((await order(id)).status).toBe('PENDING');
    } finally {
      await nats.start();
    }
    const started = Date.now();
    const ended = await Promise.all(ids.map((id) => until(id, ENDED, 60_000)));
    console.log(`5 orders placed during a NATS outage were PAID ${Date.now() - started} ms after it returned`);
    expect(ended.map((o) => o.status)).toEqual(['PAID', 'PAID', 'PAID', 'PAID', 'PAID']);
    expect(await available(product)).toBe(5);
  });

  it('has no second effect when payments dies after its commit and before its ack', async () => {
    const product = await newProduct(3);
    await sg.restart('payments', { EVENTS_TEST_CRASH_AFTER_COMMIT: 'payments-on-inventory' });
    const placed = await place(product, 1);
    await sg.exited('payments');
    await sg.restart('payments');
    const paid = await until(placed.id, ['PAID'], 30_000);
    expect(paid.payment?.status).toBe('SUCCEEDED');
    const payments = await sg.sql('payments', 'SELECT id FROM payments WHERE order_id = $1', [placed.id]);
    const charges = await sg.sql(
      'payments',
      "SELECT 1 FROM provider_charges WHERE kind = 'charge' AND idempotency_key = $1",
      [payments[0]?.id],
    );
    const reservations = await sg.sql('inventory', 'SELECT status FROM reservations WHERE order_id = $1', [placed.id]);
    expect(payments).toHaveLength(1);
    expect(charges).toHaveLength(1);
    expect(reservations).toEqual([{ status: 'COMMITTED' }]);
    expect(await available(product)).toBe(2);
  });

  it('applies an event published twice once', async () => {
    const product = await newProduct(5);
    const placed = await place(product, 2);
    await until(placed.id, ['PAID']);
    const event = await probe.waitFor(OrderPlaced, (d) => d.orderId === placed.id);
    // A new Nats-Msg-Id, so the stream's dedupe cannot help: only the consumers' inboxes can.
    await probe.publishEnvelope(event, `${event.id}-replayed`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await available(product)).toBe(3);
    const reservations = await sg.sql('inventory', 'SELECT quantity FROM reservations WHERE order_id = $1', [
      placed.id,
    ]);
    expect(reservations).toEqual([{ quantity: 2 }]);
  });

  it('moves a poison message to the dead-letter stream after max_deliver attempts', async () => {
    // A reservation for an order nobody placed: orders can never apply it.
    const poison = await probe.publish(StockReserved, { orderId: randomUUID() });
    const deadline = Date.now() + 30_000;
    let dead: { consumer?: string; deliveries?: string } | undefined;
    while (!dead && Date.now() < deadline) {
      dead = (await probe.deadLetters()).find((m) => m.eventId === poison.id && m.consumer === 'orders-on-inventory');
      if (!dead) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(dead).toMatchObject({ consumer: 'orders-on-inventory', deliveries: '3' });
    const metrics = await (await fetch(`${sg.baseUrl.orders}/metrics`)).text();
    expect(metrics).toMatch(/events_dead_lettered_total\{[^}]*consumer="orders-on-inventory"[^}]*\} [1-9]/);
  });
});

describe('after the faults', () => {
  it('keeps the books: stock, payments and outboxes all agree', async () => {
    // Let every in-flight event settle.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stock = await sg.sql<{ product_id: string; on_hand: number; reserved: number }>(
      'inventory',
      'SELECT product_id, on_hand, reserved FROM stock',
    );
    const sold = await sg.sql<{ product_id: string; sold: number }>(
      'inventory',
      "SELECT product_id, sum(quantity)::int AS sold FROM reservations WHERE status = 'COMMITTED' GROUP BY product_id",
    );
    const soldBy = new Map(sold.map((s) => [s.product_id, s.sold]));
    for (const row of stock) {
      if (!stockGiven.has(row.product_id)) continue;
      const available = row.on_hand - row.reserved;
      // initial stock = available + reserved + sold
      expect({ product: row.product_id, total: available + row.reserved + (soldBy.get(row.product_id) ?? 0) }).toEqual({
        product: row.product_id,
        total: stockGiven.get(row.product_id),
      });
    }

    const paid = await sg.sql<{ id: string; total_cents: number }>(
      'orders',
      "SELECT id, total_cents FROM orders WHERE status = 'PAID'",
    );
    const succeeded = await sg.sql<{ order_id: string; amount_cents: number }>(
      'payments',
      "SELECT order_id, amount_cents FROM payments WHERE status = 'SUCCEEDED'",
    );
    for (const order of paid) {
      expect(succeeded.filter((p) => p.order_id === order.id).map((p) => p.amount_cents)).toEqual([order.total_cents]);
    }

    for (const service of ['orders', 'inventory', 'payments'] as const) {
      const [{ count }] = await sg.sql<{ count: number }>(
        service,
        'SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL',
      );
      expect({ service, unsent: count }).toEqual({ service, unsent: 0 });
    }
  });
});
