import { PlaceOrderDocument } from '../../client/generated/graphql';
import { eventually } from '../support/eventually';
import { scrapeSum } from '../support/prometheusText';
import { ENDED, ShopClient, signUp } from '../support/shopClient';
import { startSupergraph, type GraphQLResult, type Supergraph } from '../support/supergraph';

/**
 * Overload end to end: a saga slower than the orders offered (one payment at
 * a time, 200 ms each: about 5 orders/s), customers placing 40/s. The orders
 * service refuses with saga_backlog once the backlog would take longer than
 * SAGA_MAX_DRAIN_SECONDS; the gateway, seeing most calls refused, answers a
 * share of them itself with that refusal (adaptive throttling); every order
 * taken ends, and a customer retrying with the same idempotency key after the
 * drain gets the order.
 */
const OFFER_PER_SECOND = 40;
const OFFER_SECONDS = 6;
const CUSTOMERS = 8;

let sg: Supergraph;
let shop: ShopClient;
let customers: string[];

beforeAll(async () => {
  sg = await startSupergraph({
    PAYMENT_PROVIDER_LATENCY_MS: '200',
    EVENTS_CONSUMER_CONCURRENCY: '1',
    SAGA_MAX_DRAIN_SECONDS: '1',
    SAGA_ADMISSION_BURST: '3',
    SAGA_ADMISSION_SAMPLE_MS: '50',
    // The customers' own budgets are not what this test is about.
    RATE_LIMIT_POINTS: '100000',
  });
  shop = await ShopClient.signIn(sg);
  customers = await Promise.all(
    Array.from({ length: CUSTOMERS }, (_, i) => signUp(sg, `overload-${i}-${Date.now()}@example.com`)),
  );
}, 200_000);

afterAll(async () => {
  await sg?.stop();
});

interface Offered {
  key: string;
  token: string;
  result: GraphQLResult<{ placeOrder: { id: string; status: string } }>;
}

describe('a saga slower than the orders offered', () => {
  it('refuses with saga_backlog, the gateway answering a share of the refusals itself; every order taken ends, and a retry after the drain is taken', async () => {
    const productId = await shop.newProduct(10_000, 500);
    // Open loop, as customers are: each order goes out on time, whether or not the earlier ones were answered.
    const calls: Promise<Offered>[] = [];
    const total = OFFER_PER_SECOND * OFFER_SECONDS;
    const startedAt = Date.now();
    for (let i = 0; i < total; i++) {
      const dueAt = startedAt + (i * 1000) / OFFER_PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));
      const key = `overload-${i}`;
      const token = customers[i % CUSTOMERS];
      const input = {
        items: [{ productId, quantity: 1 }],
        paymentMethod: { cardToken: 'tok_visa' },
        idempotencyKey: key,
      };
      calls.push(sg.execute(PlaceOrderDocument, { input }, token).then((result) => ({ key, token, result })));
    }
    const offered = await Promise.all(calls);

    const accepted = offered.filter((o) => o.result.data?.placeOrder);
    const refused = offered.filter((o) => !o.result.data?.placeOrder);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    // Every refusal is the orders service's, whoever sent it: the client cannot tell, and need not.
    for (const { result } of refused) {
      expect(result.status).toBe(200);
      expect(result.data).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]).toMatchObject({
        message: 'Too many orders are being processed; try again shortly',
        extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'saga_backlog' },
      });
    }
    const refusedByOrders = await scrapeSum(sg.baseUrl.orders, 'orders_admission_refusals_total');
    const throttled = await scrapeSum(sg.baseUrl.gateway, 'subgraph_fetch_throttled_total', { subgraph: 'orders' });
    expect(throttled).toBeGreaterThan(0);
    // Each refusal the customers saw was made once: by the orders service, or by the gateway without a call.
    expect(refusedByOrders + throttled).toBe(refused.length);
    // A refused order stored nothing.
    const stored = await sg.sql<{ count: string }>('orders', 'SELECT count(*) FROM orders');
    expect(Number(stored[0].count)).toBe(accepted.length);

    // Every order taken ends PAID.
    for (const { result, token } of accepted) await shop.until(result.data!.placeOrder.id, ENDED, 60_000, { token });
    const statuses = await sg.sql<{ status: string }>('orders', 'SELECT DISTINCT status FROM orders');
    expect(statuses).toEqual([{ status: 'PAID' }]);

    // Once drained, a customer whose order was refused tries again with the same key and gets it; the
    // gateway may still answer some tries itself until its window forgets the overload, so it retries
    // as a client would. A key whose order was taken gets that same order back.
    const retried = refused[0];
    const input = {
      items: [{ productId, quantity: 1 }],
      paymentMethod: { cardToken: 'tok_visa' },
      idempotencyKey: retried.key,
    };
    let retry: Offered['result'] | undefined;
    await eventually(
      async () => {
        retry = await sg.execute(PlaceOrderDocument, { input }, retried.token);
        return !!retry.data?.placeOrder;
      },
      20_000,
      250,
    );
    expect(retry!.errors).toBeUndefined();
    await shop.until(retry!.data!.placeOrder.id, ['PAID'], 20_000, { token: retried.token });
    const again = await sg.execute(PlaceOrderDocument, { input }, retried.token);
    expect(again.data?.placeOrder.id).toBe(retry!.data!.placeOrder.id);
  }, 150_000);
});
