import net from 'node:net';
import { CreateProductDocument, LogInDocument } from '../../client/generated/graphql';
import { eventually } from '../support/eventually';
import { scrapeSum } from '../support/prometheusText';
import { startSupergraph, type Supergraph } from '../support/supergraph';

/**
 * The gateway when subgraphs fail: partial data, deadlines, circuit breakers,
 * several instances of one subgraph, and a drain on SIGTERM. Real processes
 * are killed (SIGKILL) and hung (SIGSTOP).
 */
const TIMEOUT_MS = 1_500;
const HALF_OPEN_AFTER_MS = 1_000;

let sg: Supergraph;
let token: string;
let productId: string;

beforeAll(async () => {
  sg = await startSupergraph({
    SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
    BREAKER_FAILURES: '3',
    BREAKER_HALF_OPEN_AFTER_MS: String(HALF_OPEN_AFTER_MS),
  });
  token = (await sg.execute(LogInDocument, { email: 'admin@example.com', password: 'test-admin-password' })).data!.logIn
    .token;
  const input = { sku: 'RES-1', name: 'Kettle', price: 2500, initialStock: 5 };
  productId = (await sg.execute(CreateProductDocument, { input }, token)).data!.createProduct.id;
}, 200_000);
afterAll(() => sg?.stop());

/** users + products in one operation: one of them failing must not take the other's data. */
async function meAndProduct(gatewayUrl = sg.gatewayUrl) {
  return sg.post(
    gatewayUrl,
    JSON.stringify({
      query: 'query ($id: ID!) { me { email } product(id: $id) { name } }',
      variables: { id: productId },
    }),
    { authorization: `Bearer ${token}` },
  );
}

async function productName(gatewayUrl: string) {
  return sg.post(gatewayUrl, JSON.stringify({ query: '{ product(id: "' + productId + '") { name } }' }));
}

function expectProductUnavailable(res: { status: number; body: any }, reason: string) {
  expect(res.status).toBe(200);
  expect(res.body.data).toEqual({ me: { email: 'admin@example.com' }, product: null });
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors[0]).toMatchObject({
    message: 'Service unavailable, try again shortly',
    path: ['product'],
    extensions: { code: 'SERVICE_UNAVAILABLE', reason, serviceName: 'products' },
  });
}

it('answers at the deadline when a subgraph hangs, with the healthy part of the data, and does not send the query again', async () => {
  const retries = () => scrapeSum(sg.baseUrl.gateway, 'subgraph_fetch_retries_total', { subgraph: 'products' });
  const retriesBefore = await retries();
  sg.signal('products', 'SIGSTOP');
  try {
    // products stays paused until this answer is in, so the answer cannot have waited for products: the
    // gateway gave up by itself (reason timeout), and a gateway waiting on the subgraph never ends this test.
    expectProductUnavailable(await meAndProduct(), 'timeout');
    // A timeout spends the deadline: no second attempt.
    expect(await retries()).toBe(retriesBefore);
  } finally {
    sg.signal('products', 'SIGCONT');
  }
  await eventually(async () => !(await meAndProduct()).body.errors);
}, 30_000);

it('serves from what still runs when a subgraph is killed, opens its breaker, and recovers after a restart', async () => {
  sg.signal('products', 'SIGKILL');
  await sg.exited('products');

  expectProductUnavailable(await meAndProduct(), 'unreachable');
  // In production the error is exactly this: code, reason and service, nothing about where it lives.
  const production = await sg.startGateway({
    NODE_ENV: 'production',
    SIGNING_KEY_FILE: `${sg.env.DATA_DIR}/keys/gateway.pem`,
  });
  try {
    const res = await meAndProduct(`${production.url}/graphql`);
    expect(res.body.errors).toEqual([
      {
        message: 'Service unavailable, try again shortly',
        path: ['product'],
        extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'unreachable', serviceName: 'products' },
      },
    ]);
  } finally {
    await production.stop();
  }

  // 3 consecutive failures (a query's retry counts too) open the breaker: calls then fail fast.
  await eventually(async () => (await meAndProduct()).body.errors?.[0]?.extensions?.reason === 'circuit_open', 5_000);
  expect(await scrapeSum(sg.baseUrl.gateway, 'subgraph_circuit_state', { subgraph: 'products' })).toBe(1);
  // One subgraph down does not make the gateway unready: it still serves the rest (a load balancer taking it
  // out would turn partial data into a full outage).
  const ready = await fetch(`${sg.baseUrl.gateway}/ready`);
  expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 200, body: { status: 'ready' } });
  expect(
    await scrapeSum(sg.baseUrl.gateway, 'subgraph_circuit_opened_total', { subgraph: 'products' }),
  ).toBeGreaterThan(0);
  expectProductUnavailable(await meAndProduct(), 'circuit_open');

  // Back up: after the half-open delay one probe goes through and closes the breaker.
  await sg.restart('products');
  await eventually(async () => !(await meAndProduct()).body.errors, HALF_OPEN_AFTER_MS * 5);
  const healed = await meAndProduct();
  expect(healed.body).toEqual({ data: { me: { email: 'admin@example.com' }, product: { name: 'Kettle' } } });
  expect(await scrapeSum(sg.baseUrl.gateway, 'subgraph_circuit_state', { subgraph: 'products' })).toBe(0);
});

describe('two instances of one subgraph', () => {
  it('share the load, and losing one loses no query the other could serve', async () => {
    const second = await sg.startInstance('products');
    const gateway = await sg.startGateway({
      PRODUCTS_URL: `${sg.baseUrl.products},${second.url}`,
      SUBGRAPH_LOAD_BALANCING: 'round_robin',
    });
    try {
      const served = async () =>
        Promise.all([sg.baseUrl.products, second.url].map((url) => scrapeSum(url, 'graphql_requests_total')));
      const before = await served();
      for (let i = 0; i < 40; i++) {
        expect((await productName(`${gateway.url}/graphql`)).body.data?.product?.name).toBe('Kettle');
      }
      const after = await served();
      expect(after.map((n, i) => n - before[i])).toEqual([20, 20]);

      // 8 callers in a loop; the second instance is killed while they run.
      let sent = 0;
      const failures: unknown[] = [];
      const caller = async () => {
        while (sent < 240) {
          sent += 1;
          if (sent === 60) second.signal('SIGKILL');
          const res = await productName(`${gateway.url}/graphql`);
          if (res.status !== 200 || res.body.errors || res.body.data?.product?.name !== 'Kettle')
            failures.push(res.body);
        }
      };
      await Promise.all(Array.from({ length: 8 }, caller));
      await second.exited();
      expect(failures).toEqual([]);
      expect(await scrapeSum(gateway.url, 'subgraph_fetch_retries_total', { subgraph: 'products' })).toBeGreaterThan(0);
    } finally {
      await gateway.stop();
      await second.stop();
    }
  });
});

/** Settles with when it ended, so a request that fails while the test waits on something else is still seen. */
function track<T>(promise: Promise<T>) {
  const tracked: { endedAt?: number; result?: PromiseSettledResult<T> } = {};
  const done = promise.then(
    (value) => Object.assign(tracked, { endedAt: Date.now(), result: { status: 'fulfilled', value } as const }),
    (reason: unknown) =>
      Object.assign(tracked, { endedAt: Date.now(), result: { status: 'rejected', reason } as const }),
  );
  return Object.assign(tracked, { done });
}

/** A new TCP connection, below any HTTP client's pool: true once nothing listens on the port. */
function refusesConnections(baseUrl: string): Promise<boolean> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

it('drains on SIGTERM: readiness goes false while it still serves, then it refuses connections, finishes the requests in flight and only then exits 0', async () => {
  const SHUTDOWN_DELAY_MS = 1_500;
  const HELD = 3;
  const gateway = await sg.startGateway({ SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS), SUBGRAPH_TIMEOUT_MS: '15000' });
  let exitedAt: number | undefined;
  const exit = gateway.exited().then((code) => ((exitedAt = Date.now()), code));
  // Requests that stay in flight past the delay: products is paused while they wait for it.
  sg.signal('products', 'SIGSTOP');
  try {
    const held = Array.from({ length: HELD }, () => track(meAndProduct(`${gateway.url}/graphql`)));
    // All of them are in the gateway once their users part is answered (or shares another's call): the
    // products part is what holds them.
    const usersAnswered = async () =>
      (await scrapeSum(gateway.url, 'subgraph_fetch_duration_seconds_count', { subgraph: 'users' })) +
      (await scrapeSum(gateway.url, 'subgraph_fetch_deduplicated_total', { subgraph: 'users' }));
    await eventually(async () => (await usersAnswered()) === HELD);

    const sigtermAt = Date.now();
    gateway.signal('SIGTERM');
    await eventually(async () => (await fetch(`${gateway.url}/ready`)).status === 503, SHUTDOWN_DELAY_MS / 2);
    expect(await (await fetch(`${gateway.url}/ready`)).json()).toMatchObject({ status: 'draining' });
    // Still serving during the delay: load balancers send requests until they notice.
    const during = await sg.post(`${gateway.url}/graphql`, JSON.stringify({ query: '{ me { email } }' }), {
      authorization: `Bearer ${token}`,
    });
    expect(during.body).toEqual({ data: { me: { email: 'admin@example.com' } } });
    // A new connection after readiness went false is still accepted and served.
    expect(await refusesConnections(gateway.url)).toBe(false);

    // Then the listener closes, not before the delay has ended.
    await eventually(() => refusesConnections(gateway.url), SHUTDOWN_DELAY_MS + 5_000);
    expect(Date.now() - sigtermAt).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS);
    // Held a little longer with the listener closed: the process waits for them instead of exiting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(held.map((request) => request.result)).toEqual(held.map(() => undefined));
    expect(exitedAt).toBeUndefined();

    sg.signal('products', 'SIGCONT');
    for (const request of held) {
      await request.done;
      expect(request.result).toEqual({
        status: 'fulfilled',
        value: { status: 200, body: { data: { me: { email: 'admin@example.com' }, product: { name: 'Kettle' } } } },
      });
    }
    expect(await exit).toBe(0);
    expect(exitedAt).toBeGreaterThanOrEqual(Math.max(...held.map((request) => request.endedAt!)));
  } finally {
    sg.signal('products', 'SIGCONT');
    await gateway.stop();
  }
});
