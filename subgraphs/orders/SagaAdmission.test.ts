import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { UserIdentity } from '../../platform/auth/identity';
import { createMetrics } from '../../platform/metrics';
import { EventProbe } from '../../test/support/eventProbe';
import { eventually } from '../../test/support/eventually';
import { parsePrometheusText, sampleSum } from '../../test/support/prometheusText';
import { startSubgraphs, type SubgraphHarness } from '../../test/support/subgraphHarness';
import { StockReserved } from '../inventory/events/contracts';
import { PaymentSucceeded } from '../payments/events/contracts';
import { productsSubgraph } from '../products/definition';
import { OrderQueries } from './db/OrderQueries';
import { ordersSubgraph } from './definition';
import { SagaAdmission } from './SagaAdmission';

const PLACE = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`;
const MAX_DRAIN_SECONDS = 2;
const BURST = 5;
const silent = pino({ level: 'silent' });

let h: SubgraphHarness;
let probe: EventProbe;
let mug: string;

beforeAll(async () => {
  h = await startSubgraphs([productsSubgraph, ordersSubgraph], {
    SAGA_MAX_DRAIN_SECONDS: String(MAX_DRAIN_SECONDS),
    SAGA_ADMISSION_BURST: String(BURST),
    SAGA_ADMISSION_SAMPLE_MS: '20',
  });
  probe = await EventProbe.connect(h.env.EVENTS_PREFIX!);
  [{ id: mug }] = await h.services.products.runtime.dataSource.query(
    `INSERT INTO products (sku, name, price_cents, currency) VALUES ('MUG', 'Mug', 1299, 'USD') RETURNING id`,
  );
});
afterAll(async () => {
  await probe?.close();
  await h?.stop();
});

const customer = (): UserIdentity => ({ id: randomUUID(), role: 'CUSTOMER' });
const orders = () => h.services.orders.runtime.dataSource;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function place(user: UserIdentity, idempotencyKey?: string) {
  const input = { items: [{ productId: mug, quantity: 1 }], paymentMethod: { cardToken: 'tok_visa' }, idempotencyKey };
  return h.request<{ placeOrder: { id: string; status: string } }>('orders', PLACE, { input }, { user });
}

/** Plays inventory and payments on the bus: the order ends PAID through the service's own consumers. */
async function pay(orderId: string): Promise<void> {
  await probe.publish(StockReserved, { orderId }, { subject: orderId });
  await probe.publish(
    PaymentSucceeded,
    { orderId, paymentId: randomUUID(), amountCents: 1299, currency: 'USD' },
    { subject: orderId },
  );
}

async function statusOf(orderId: string): Promise<string> {
  return (await orders().query('SELECT status FROM orders WHERE id = $1', [orderId]))[0].status as string;
}

async function metric(name: string): Promise<number> {
  return (await metrics(name))[0];
}

/** The service's gauges read at one moment: prom-client collects them all in one tick, from one sample. */
async function metrics(...names: string[]): Promise<number[]> {
  const samples = parsePrometheusText(await h.services.orders.runtime.metrics.registry.metrics());
  return names.map((name) => sampleSum(samples, name));
}
const refusals = () => metric('orders_admission_refusals_total');

describe('placeOrder admission', () => {
  // First, while the backlog is empty: what is counted is only what this test admits.
  it('counts orders still being placed, and refuses nothing once its sample is stale', async () => {
    const sampleMs = 20;
    const own = createMetrics('orders');
    const admission = new SagaAdmission(
      new OrderQueries(orders()),
      { maxDrainSeconds: MAX_DRAIN_SECONDS, burst: 2, sampleMs },
      silent,
      own,
    );
    const gauge = async (name: string) => sampleSum(parsePrometheusText(await own.registry.metrics()), name);
    admission.start();
    // Nothing waits, so no rate is known and nothing is refused, however many come.
    const placing = [admission.admit(), admission.admit(), admission.admit()];
    for (const done of placing) done(false);
    // A saturated saga: two orders waiting, one of them finished within the busy two seconds (about 0.4/s),
    // so the other one waits longer than that rate finishes an order. 2 s of work is under the burst of two.
    const user = customer();
    const [first, waiting] = [(await place(user)).data!.placeOrder.id, (await place(user)).data!.placeOrder.id];
    // Its busy time starts once a sample has seen the two waiting.
    await eventually(async () => (await gauge('orders_saga_backlog')) === 2);
    await pay(first);
    await eventually(async () => (await statusOf(first)) === 'PAID');
    // Once busy for long enough to tell a rate (two seconds), the limit is known.
    await eventually(async () => Number.isFinite(await gauge('orders_admission_limit')), 10_000);
    expect(await gauge('orders_admission_limit')).toBe(2);
    placing[0] = admission.admit();
    expect(() => admission.admit()).toThrow('Too many orders are being processed; try again shortly');
    // One that failed to be placed frees its place.
    placing[0](false);
    placing[0] = admission.admit();
    expect(() => admission.admit()).toThrow();

    // The database away or slow: no sample for ten periods, and nothing is known to refuse by,
    // though the last sample and the order still being placed would refuse the next one.
    admission.stop();
    let admitted: ((placed: boolean) => void) | undefined;
    await eventually(async () => {
      try {
        admitted = admission.admit();
        return true;
      } catch {
        return false;
      }
    }, 2_000);
    admitted!(false);
    placing[0](false);
    await pay(waiting);
    await eventually(async () => (await statusOf(waiting)) === 'PAID');
  });

  it('refuses only while the backlog would take longer than SAGA_MAX_DRAIN_SECONDS at the rate the saga finishes orders, and loses nothing it took', async () => {
    // The saga is played at about 10 orders/s, so 2 s of work is about 20 orders.
    const waiting: string[] = [];
    let playing = true;
    const player = (async () => {
      while (playing || waiting.length > 0) {
        const next = waiting.shift();
        if (next) await pay(next);
        await sleep(100);
      }
    })();
    try {
      // Offered three times that, from many customers: a burst no rate is known for yet is taken whole.
      const user = customer();
      const outcomes: { backlog: number; limit: number; capacity: number; refused: boolean }[] = [];
      const accepted: string[] = [];
      const deadline = Date.now() + 6_000;
      let i = 0;
      while (Date.now() < deadline) {
        const result = await place(user, `key-${i++}`);
        const refused = !!result.errors;
        // What admission saw, read right after its answer: the same sample, or the next one.
        const [backlog, limit, capacity] = await metrics(
          'orders_saga_backlog',
          'orders_admission_limit',
          'orders_saga_capacity_per_second',
        );
        outcomes.push({ backlog, limit, capacity, refused });
        if (refused) {
          expect(result.data).toBeNull();
          expect(result.errors?.[0]).toMatchObject({
            message: 'Too many orders are being processed; try again shortly',
            extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'saga_backlog' },
          });
        } else {
          accepted.push(result.data!.placeOrder.id);
          waiting.push(result.data!.placeOrder.id);
        }
        await sleep(33);
      }
      const firstRefusal = outcomes.findIndex((o) => o.refused);
      expect(firstRefusal).toBeGreaterThan(0);
      // Nothing was refused before the backlog reached what the saga finishes in SAGA_MAX_DRAIN_SECONDS at
      // the rate it was measured to finish them (the sample may lag an order or two behind, on the side of
      // taking them), and while no capacity was known (a limit of +Inf) nothing was refused at all.
      // How fast the player gets through depends on the machine's load, so the figures are checked against
      // the rate the service measured, not against the player's pace; that pace (10/s) bounds it from above.
      const refusedOutcomes = outcomes.filter((o) => o.refused);
      for (const o of refusedOutcomes) {
        expect(o.capacity).toBeGreaterThan(0);
        expect(o.capacity).toBeLessThanOrEqual(20);
        expect(o.limit).toBe(Math.max(BURST, Math.floor(MAX_DRAIN_SECONDS * o.capacity)));
      }
      for (const o of refusedOutcomes) expect(o.backlog).toBeGreaterThanOrEqual(o.limit - 3);
      const refusedCount = outcomes.filter((o) => o.refused).length;
      expect(await refusals()).toBe(refusedCount);
      // A refused order stored nothing; a retry of an order already taken is answered, whatever the load.
      expect(Number((await orders().query('SELECT count(*) FROM orders WHERE user_id = $1', [user.id]))[0].count)).toBe(
        accepted.length,
      );
      expect((await place(user, 'key-0')).data?.placeOrder.id).toBe(accepted[0]);

      // Once the backlog drained, orders are taken again, and every order taken ends PAID.
      playing = false;
      await player;
      await eventually(async () => (await metric('orders_saga_backlog')) === 0, 15_000);
      expect((await place(customer())).data?.placeOrder.status).toBe('PENDING');
      const statuses = await Promise.all(accepted.map(statusOf));
      expect(statuses.every((s) => s === 'PAID')).toBe(true);
    } finally {
      // A failed assertion must not leave the player paying on a closed bus.
      playing = false;
      waiting.length = 0;
      await player;
    }
  }, 60_000);
});
