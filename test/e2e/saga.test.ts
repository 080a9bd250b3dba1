import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CancelOrderDocument, CatalogPageDocument } from '../../client/generated/graphql';
import { StockReserved } from '../../subgraphs/inventory/events/contracts';
import { OrderPlaced } from '../../subgraphs/orders/events/contracts';
import { EventProbe } from '../support/eventProbe';
import { eventually } from '../support/eventually';
import { scrapeSum } from '../support/prometheusText';
import { ENDED, ShopClient, signUp } from '../support/shopClient';
import { startSupergraph, type Supergraph } from '../support/supergraph';
import { TEST_DATABASE_URL } from '../support/testEnv';
import type { TestNatsServer } from '../support/testNatsServer';

let nats: TestNatsServer;
let sg: Supergraph;
let probe: EventProbe;
let shop: ShopClient;

beforeAll(async () => {
  // The supergraph's own NATS (authenticated, each service as itself), so one test can take it away
  // without touching anyone else's.
  sg = await startSupergraph({
    EVENTS_ACK_WAIT_MS: '5000',
    // The flash sale signs up a hundred customers from one address.
    AUTH_RATE_LIMIT_POINTS: '500',
  });
  nats = sg.nats!;
  probe = await EventProbe.connect(sg.env.EVENTS_PREFIX, nats.connectionOptions());
  shop = await ShopClient.signIn(sg, 'buyer@example.com');
}, 200_000);

afterAll(async () => {
  await probe?.close();
  await sg?.stop();
});

describe('the order saga through the gateway', () => {
  it('takes an order to PAID within seconds, with stock and payment in agreement', async () => {
    const product = await shop.newProduct(20, 1250);
    const placed = await shop.place(product, 2);
    expect(placed).toMatchObject({ status: 'PENDING', total: { amount: 2500, currency: 'USD' } });
    const started = Date.now();
    const paid = await shop.until(placed.id, ['PAID']);
    console.log(`placeOrder -> PAID in ${Date.now() - started} ms`);
    expect(paid.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
    expect(paid.payment).toMatchObject({ status: 'SUCCEEDED', amount: { amount: 2500, currency: 'USD' } });
    expect(paid.items[0]).toMatchObject({ productName: expect.any(String), quantity: 2, product: { id: product } });
    expect(await shop.available(product)).toBe(18);
  });

  it('rejects an order whose card is declined and gives its stock back', async () => {
    const product = await shop.newProduct(5);
    const placed = await shop.place(product, 3, 'tok_decline');
    const rejected = await shop.until(placed.id, ENDED);
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
    expect(rejected.payment?.status).toBe('FAILED');
    expect(await shop.available(product)).toBe(5);
  });

  it('rejects an order there is not enough stock for and reserves nothing', async () => {
    const product = await shop.newProduct(2);
    const placed = await shop.place(product, 3);
    const rejected = await shop.until(placed.id, ENDED);
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK', payment: null });
    expect(await shop.available(product)).toBe(2);
  });

  it('cancels an order before payment: stock released, no money kept', async () => {
    const product = await shop.newProduct(4);
    // With payments away the order stops at RESERVED: the window a customer cancels in.
    await sg.stopService('payments');
    let cancelledId: string;
    try {
      const placed = await shop.place(product, 3);
      cancelledId = placed.id;
      // payments is stopped: the order's payment part of the answer is an error.
      await shop.until(placed.id, ['RESERVED'], 20_000, { partial: true });
      const res = await sg.execute(CancelOrderDocument, { id: placed.id }, shop.customerToken);
      expect(res.data?.cancelOrder.status).toBe('CANCELLED');
      for (let i = 0; i < 200 && (await shop.available(product)) !== 4; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(await shop.available(product)).toBe(4);
    } finally {
      await sg.restart('payments');
    }
    // payments catches up on both streams. Had it charged before it saw the cancel (the two
    // arrive on different streams), the cancel refunds: no money is kept either way. Done when
    // payments has handled the cancel (its intent cancelled) and no payment holds money.
    const settled = async () => {
      const [intent] = await sg.sql<{ cancelled: boolean }>(
        'payments',
        'SELECT cancelled_at IS NOT NULL AS cancelled FROM payment_intents WHERE order_id = $1',
        [cancelledId],
      );
      const payments = await sg.sql<{ status: string }>('payments', 'SELECT status FROM payments WHERE order_id = $1', [
        cancelledId,
      ]);
      return !!intent?.cancelled && payments.every((p) => p.status === 'REFUNDED' || p.status === 'FAILED');
    };
    await eventually(settled, 15_000);
    const payments = await sg.sql<{ status: string }>('payments', 'SELECT status FROM payments WHERE order_id = $1', [
      cancelledId,
    ]);
    expect(payments.every((p) => p.status === 'REFUNDED')).toBe(true);
    expect((await shop.order(cancelledId)).status).toBe('CANCELLED');
    expect(await shop.available(product)).toBe(4);
  });

  it('cancels a PAID order by refunding it, then restocks', async () => {
    const product = await shop.newProduct(6, 700);
    const placed = await shop.place(product, 2);
    await shop.until(placed.id, ['PAID']);
    const res = await sg.execute(CancelOrderDocument, { id: placed.id }, shop.customerToken);
    expect(res.data?.cancelOrder.status).toBe('PAID');
    const cancelled = await shop.until(placed.id, ['CANCELLED']);
    expect(cancelled.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'PAID', 'CANCELLED']);
    expect(cancelled.payment?.status).toBe('REFUNDED');
    expect(await shop.available(product)).toBe(6);
    const again = await sg.execute(CancelOrderDocument, { id: placed.id }, shop.customerToken);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('sells exactly 10 of 10 to 50 concurrent orders, never going negative', async () => {
    const product = await shop.newProduct(10);
    const started = Date.now();
    const orders = await Promise.all(Array.from({ length: 50 }, () => shop.place(product, 1)));
    const ended = await Promise.all(orders.map((o) => shop.until(o.id, ENDED, 60_000)));
    const seconds = (Date.now() - started) / 1000;
    console.log(`50 concurrent orders ended in ${seconds.toFixed(2)} s (${(50 / seconds).toFixed(1)} orders/s)`);
    expect(ended.filter((o) => o.status === 'PAID')).toHaveLength(10);
    expect(ended.filter((o) => o.status === 'REJECTED' && o.rejectionReason === 'OUT_OF_STOCK')).toHaveLength(40);
    expect(await shop.available(product)).toBe(0);
    const [stock] = await sg.sql<{ on_hand: number; reserved: number }>(
      'inventory',
      'SELECT on_hand, reserved FROM stock WHERE product_id = $1',
      [product],
    );
    expect(stock).toEqual({ on_hand: 0, reserved: 0 });
  });
});

describe('a flash sale', () => {
  it('takes 100 orders from 100 customers at the same moment, all of them, and ends every one PAID', async () => {
    const product = await shop.newProduct(100);
    // Four sign-ups at a time: each is a scrypt hash of ~210 ms (OWASP's cost), on users' thread pool.
    const customers: string[] = [];
    for (let i = 0; i < 100; i += 4) {
      const batch = [i, i + 1, i + 2, i + 3].map((n) =>
        signUp(sg, `flash-${n}-${randomUUID().slice(0, 6)}@example.com`),
      );
      customers.push(...(await Promise.all(batch)));
    }
    const started = Date.now();
    const placed = await Promise.all(customers.map((token) => shop.place(product, 1, 'tok_visa', token)));
    const takenMs = Date.now() - started;
    expect(placed.every((o) => o.status === 'PENDING')).toBe(true);
    const ended = await Promise.all(placed.map((o, i) => shop.until(o.id, ENDED, 60_000, { token: customers[i] })));
    const seconds = (Date.now() - started) / 1000;
    console.log(`flash sale: 100 of 100 taken in ${takenMs} ms, all ended in ${seconds.toFixed(2)} s`);
    expect(ended.map((o) => o.status)).toEqual(Array(100).fill('PAID'));
    expect(await shop.available(product)).toBe(0);
  }, 120_000);
});

describe('the saga under faults', () => {
  it('takes orders while NATS is down and completes them when it returns', async () => {
    const product = await shop.newProduct(10);
    await nats.stop();
    let ids: string[];
    try {
      ids = [];
      for (let i = 0; i < 5; i++) ids.push((await shop.place(product, 1)).id);
      const pending = await sg.sql<{ count: number }>(
        'orders',
        'SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL',
      );
      expect(pending[0].count).toBeGreaterThanOrEqual(5);
      for (const id of ids) expect((await shop.order(id)).status).toBe('PENDING');
      // Reads go on, and no service turns unready: in Kubernetes the shop stays online.
      const catalog = await sg.execute(CatalogPageDocument, { first: 5 });
      expect(catalog.errors).toBeUndefined();
      expect(catalog.data?.products.edges.length).toBeGreaterThan(0);
      for (const service of ['gateway', 'users', 'products', 'inventory', 'orders', 'payments'] as const) {
        const ready = await fetch(`${sg.baseUrl[service]}/ready`);
        expect({ service, status: ready.status }).toEqual({ service, status: 200 });
      }
    } finally {
      await nats.start();
    }
    const started = Date.now();
    const ended = await Promise.all(ids.map((id) => shop.until(id, ENDED, 60_000)));
    console.log(`5 orders placed during a NATS outage were PAID ${Date.now() - started} ms after it returned`);
    expect(ended.map((o) => o.status)).toEqual(['PAID', 'PAID', 'PAID', 'PAID', 'PAID']);
    expect(await shop.available(product)).toBe(5);
  });

  it('finishes every order PAID, with no dead letter, when the payments database refuses connections for 60 s mid-saga', async () => {
    const product = await shop.newProduct(10);
    const database = `${sg.env.DB_PREFIX}_payments`;
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    const deadBefore = (await probe.deadLetters()).length;
    let ids: string[] = [];
    try {
      await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
      ids = [];
      for (let i = 0; i < 5; i++) ids.push((await shop.place(product, 1)).id);
      // Stock is reserved meanwhile; the charge waits for its database.
      await Promise.all(ids.map((id) => shop.until(id, ['RESERVED'], 20_000, { partial: true })));
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      for (const id of ids) expect((await shop.order(id)).status).toBe('RESERVED');
    } finally {
      await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const back = Date.now();
    const ended = await Promise.all(ids.map((id) => shop.until(id, ENDED, 60_000)));
    console.log(
      `5 orders waiting out a 60 s payments database outage were PAID ${Date.now() - back} ms after it ended`,
    );
    expect(ended.map((o) => o.status)).toEqual(Array(5).fill('PAID'));
    expect((await probe.deadLetters()).length).toBe(deadBefore);
  }, 180_000);

  it('has no second effect when payments dies after its commit and before its ack', async () => {
    const product = await shop.newProduct(3);
    await sg.restart('payments', { EVENTS_TEST_CRASH_AFTER_COMMIT: 'payments-on-inventory' });
    const placed = await shop.place(product, 1);
    await sg.exited('payments');
    await sg.restart('payments');
    const paid = await shop.until(placed.id, ['PAID'], 30_000);
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
    expect(await shop.available(product)).toBe(2);
  });

  it('applies an event published twice once', async () => {
    const product = await shop.newProduct(5);
    const placed = await shop.place(product, 2);
    await shop.until(placed.id, ['PAID']);
    const event = await probe.waitFor(OrderPlaced, (d) => d.orderId === placed.id);
    const duplicates = (service: 'inventory' | 'payments') =>
      scrapeSum(sg.baseUrl[service], 'events_consumed_total', {
        consumer: `${service}-on-orders`,
        type: 'orders.placed',
        outcome: 'duplicate',
      });
    const before = { inventory: await duplicates('inventory'), payments: await duplicates('payments') };
    // A new Nats-Msg-Id, so the stream's dedupe cannot help: only the consumers' inboxes can.
    await probe.publishEnvelope(event, `${event.id}-replayed`);
    // Both consumers got it again and recognised it: then its effects can be counted.
    await eventually(async () => (await duplicates('inventory')) === before.inventory + 1, 10_000);
    await eventually(async () => (await duplicates('payments')) === before.payments + 1, 10_000);
    expect(await shop.available(product)).toBe(3);
    const reservations = await sg.sql('inventory', 'SELECT quantity FROM reservations WHERE order_id = $1', [
      placed.id,
    ]);
    expect(reservations).toEqual([{ quantity: 2 }]);
  });

  it('moves an event that can never be handled to the dead-letter stream at once', async () => {
    // A reservation for an order nobody placed: orders can never apply it.
    const poison = await probe.publish(StockReserved, { orderId: randomUUID() });
    const deadline = Date.now() + 30_000;
    let dead: { consumer?: string; deliveries?: string } | undefined;
    while (!dead && Date.now() < deadline) {
      dead = (await probe.deadLetters()).find((m) => m.eventId === poison.id && m.consumer === 'orders-on-inventory');
      if (!dead) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(dead).toMatchObject({ consumer: 'orders-on-inventory', deliveries: '1' });
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
      if (!shop.stockGiven.has(row.product_id)) continue;
      const available = row.on_hand - row.reserved;
      // initial stock = available + reserved + sold
      expect({ product: row.product_id, total: available + row.reserved + (soldBy.get(row.product_id) ?? 0) }).toEqual({
        product: row.product_id,
        total: shop.stockGiven.get(row.product_id),
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

  it('ran on NATS with per-service permissions and no service was refused a subject', () => {
    // The services connected as themselves (platform/events/natsPermissions.ts); the probe as admin.
    expect(nats.permissionViolations()).toEqual([]);
    for (const service of ['gateway', 'inventory', 'orders', 'payments'] as const) {
      expect(sg.output(service).filter((line) => /NATS refused|NATS without authentication/.test(line))).toEqual([]);
    }
  });
});
