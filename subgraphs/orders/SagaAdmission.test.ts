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
import { ordersSubgraph } from './definition';
import { SagaAdmission } from './SagaAdmission';

const PLACE = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`;
const TARGET_MS = 400;
const BURST = 20;
const silent = pino({ level: 'silent' });

let h: SubgraphHarness;
let probe: EventProbe;
let mug: string;

beforeAll(async () => {
  h = await startSubgraphs([productsSubgraph, ordersSubgraph], {
    SAGA_TARGET_MS: String(TARGET_MS),
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
const sampleTime = () => new Promise((resolve) => setTimeout(resolve, 150));

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
  await eventually(
    async () => (await orders().query('SELECT status FROM orders WHERE id = $1', [orderId]))[0].status === 'PAID',
  );
}

async function metric(name: string): Promise<number> {
  const text = await h.services.orders.runtime.metrics.registry.metrics();
  return sampleSum(parsePrometheusText(text), name);
}
const refusals = () => metric('orders_admission_refusals_total');

describe('placeOrder admission', () => {
  // First, while the backlog is empty: what is counted is only what this test admits.
  it('counts orders still being placed, and refuses nothing once its sample is stale', async () => {
    const sampleMs = 20;
    const admission = new SagaAdmission(
      orders(),
      { targetMs: TARGET_MS, burst: 2, sampleMs },
      silent,
      createMetrics('orders'),
    );
    admission.start();
    await new Promise((resolve) => setTimeout(resolve, 5 * sampleMs));
    // Two being placed (not in the database yet) fill a limit of two.
    const placing = [admission.admit(), admission.admit()];
    expect(() => admission.admit()).toThrow('Too many orders are being processed; try again shortly');
    // One that failed to be placed frees its place.
    placing[0](false);
    placing[0] = admission.admit();
    expect(() => admission.admit()).toThrow();

    // The database away or slow: no sample for ten periods, and nothing is known to refuse by.
    admission.stop();
    await new Promise((resolve) => setTimeout(resolve, 15 * sampleMs));
    expect(() => admission.admit()).not.toThrow();
  });

  it('refuses new orders while the saga finishes orders but lags behind its target, and takes them again once it caught up', async () => {
    const first = customer();
    // The saga without a queue: orders finished at once make the baseline.
    const quick = [];
    for (let i = 0; i < 5; i++) quick.push((await place(first)).data!.placeOrder.id);
    await Promise.all(quick.map(pay));
    await sampleTime();
    // Then they leave the last second's latencies, so the burst below does not raise the limit above the burst.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const accepted = [];
    // A burst nearly as large as the limit of an idle saga gets in (an order committing while a sample
    // is read may be counted twice, on the safe side: a burst of exactly the limit may lose its last).
    for (let i = 0; i < BURST - 2; i++) accepted.push((await place(first, `key-${i}`)).data!.placeOrder.id);
    // The saga is behind: eighteen orders waiting for 2 s, five times the target...
    await orders().query(`UPDATE orders SET created_at = now() - interval '2 seconds' WHERE id = ANY($1)`, [accepted]);
    // ...while it still finishes some (not an outage), each 2 s after it was placed, ten times the baseline,
    // and the thirteen still waiting are a queue that stands: the limit is cut below them.
    await Promise.all(accepted.slice(13).map(pay));
    await sampleTime();

    const late = customer();
    const refused = await place(late);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]).toMatchObject({
      message: 'Too many orders are being processed; try again shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'saga_backlog' },
    });
    expect(await orders().query('SELECT 1 FROM orders WHERE user_id = $1', [late.id])).toEqual([]);
    expect(await refusals()).toBe(1);
    // A retry of an order already taken is answered, whatever the load.
    expect((await place(first, 'key-0')).data?.placeOrder.id).toBe(accepted[0]);

    await Promise.all(accepted.slice(0, 13).map(pay));
    // The slow ones leave the last second's latencies.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await sampleTime();
    expect((await place(late)).data?.placeOrder.status).toBe('PENDING');
  });

  it('takes orders while nothing finishes at all: an outage is not overload, the outbox keeps them', async () => {
    // The slow orders of the test before have left the last second's latencies: the limit is back up.
    await eventually(async () => (await metric('orders_admission_limit')) >= BURST);
    const user = customer();
    const waiting = [(await place(user)).data!.placeOrder.id, (await place(user)).data!.placeOrder.id];
    await orders().query(`UPDATE orders SET created_at = now() - interval '3 seconds' WHERE id = ANY($1)`, [waiting]);
    // No order has ended for over a second: the saga is stalled, not slow.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = await refusals();
    for (let i = 0; i < 3; i++) expect((await place(user)).errors).toBeUndefined();
    expect(await refusals()).toBe(before);
  });
});
