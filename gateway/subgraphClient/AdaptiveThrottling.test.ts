import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { ServiceTokenSigner } from '../../platform/auth/serviceTokens';
import type { GatewayContext } from '../context';
import { AdaptiveThrottle } from './AdaptiveThrottle';
import { AdaptiveThrottling } from './AdaptiveThrottling';
import { SubgraphDataSource } from './SubgraphDataSource';
import { testLog, testSubgraphClient } from '../../test/support/testSubgraphClient';

describe('adaptive throttling: the throttle of one operation', () => {
  const clock = { now: 0 };
  const throttle = (random: () => number) =>
    new AdaptiveThrottle({ multiplier: 2, windowMs: 1_000 }, () => clock.now, random);

  it('refuses nothing while the subgraph accepts the calls, nor on a few refusals', () => {
    const accepting = throttle(() => 0);
    for (let i = 0; i < 100; i++) {
      expect(accepting.refusesLocally()).toBe(false);
      accepting.accepted();
    }
    const fewCalls = throttle(() => 0);
    for (let i = 0; i < 19; i++) expect(fewCalls.refusesLocally()).toBe(false);
    expect(fewCalls.refusesLocally()).toBe(true);
  });

  it('refuses with probability (requests - 2 x accepts) / (requests + 1)', () => {
    let drawn = 0.99;
    const t = throttle(() => drawn);
    for (let i = 0; i < 29; i++) t.refusesLocally();
    for (let i = 0; i < 5; i++) t.accepted();
    // The 30th call: (30 - 10) / 31 = 0.645...
    drawn = 0.64;
    expect(t.refusesLocally()).toBe(true);
    // The 31st: (31 - 10) / 32 = 0.656...
    drawn = 0.66;
    expect(t.refusesLocally()).toBe(false);
  });

  it('forgets what left its window', () => {
    const t = throttle(() => 0);
    for (let i = 0; i < 50; i++) t.refusesLocally();
    clock.now += 950;
    expect(t.refusesLocally()).toBe(true);
    // A window later only the last call is left in it: too few to refuse.
    clock.now += 1_000;
    expect(t.refusesLocally()).toBe(false);
  });
});

const PLACE = 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';
const REFUSAL = {
  data: null,
  errors: [
    {
      message: 'Too many orders are being processed; try again shortly',
      path: ['placeOrder'],
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'saga_backlog' },
    },
  ],
};

/** A real HTTP subgraph stand-in that answers as `answer` says, counting the calls it got. */
async function subgraph(answer: (body: string) => object) {
  let received = 0;
  let dropping = () => false;
  const srv = http.createServer((req, res) => {
    if (dropping()) return req.socket.destroy();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(body)));
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    received: () => received,
    /** While `when` holds, each request's connection is dropped before any answer. */
    dropConnections: (when: () => boolean) => (dropping = when),
    close: () => {
      srv.closeAllConnections();
      return new Promise((resolve) => srv.close(resolve));
    },
  };
}

/** A data source with a throttle (window 1 s) over a real subgraph stand-in; both closed after `test`. */
async function withShedSubgraph(
  answer: (body: string) => object,
  test: (
    orders: Awaited<ReturnType<typeof subgraph>>,
    call: (query: string) => Promise<GatewayGraphQLResponse>,
    throttled: () => Promise<number>,
  ) => Promise<void>,
) {
  const orders = await subgraph(answer);
  const url = orders.url;
  const { client, instances, metrics, registry } = await testSubgraphClient('orders', [url], {
    timeoutMs: 1_000,
    retryConnectionErrors: false,
  });
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const signer = new ServiceTokenSigner('gateway', { kid: 'test', privateKey, publicJwk: await exportJWK(publicKey) });
  const throttling = new AdaptiveThrottling({ multiplier: 2, windowMs: 1_000 });
  const source = new SubgraphDataSource(client, signer, metrics, testLog, throttling);
  const call = (query: string) =>
    source.process({
      request: { query, variables: {} },
      context: { requestId: 'test' },
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
  const throttled = async () =>
    (await registry.getSingleMetric('subgraph_fetch_throttled_total')!.get()).values[0]?.value ?? 0;
  try {
    await test(orders, call, throttled);
  } finally {
    await instances.close();
    await orders.close();
  }
}

describe('adaptive throttling of a subgraph operation that is shed', () => {
  it('gets most of its calls answered with the subgraph refusal at once, and is sent again once the window passed', async () => {
    let refusing = true;
    const answer = (body: string) => {
      if (body.includes('cancelOrder')) return { data: { cancelOrder: { id: 'x' } } };
      return refusing ? REFUSAL : { data: { placeOrder: { id: 'o-1' } } };
    };
    await withShedSubgraph(answer, async (orders, call, throttled) => {
      for (let i = 0; i < 100; i++) expect(await call(PLACE)).toEqual(REFUSAL);
      // The first 20 are sent; then, with nothing accepted, the share answered locally tends to n / (n + 1).
      expect(orders.received()).toBeLessThan(40);
      expect(await throttled()).toBe(100 - orders.received());

      // Another operation of the same subgraph, never refused, is always sent.
      const before = orders.received();
      for (let i = 0; i < 5; i++) await call('mutation { cancelOrder(id: "x") { id } }');
      expect(orders.received()).toBe(before + 5);

      // The subgraph recovers; once the refusals left the window, calls go through again.
      refusing = false;
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const sent = orders.received();
      for (let i = 0; i < 20; i++) expect(await call(PLACE)).toEqual({ data: { placeOrder: { id: 'o-1' } } });
      expect(orders.received()).toBe(sent + 20);
    });
  });

  it('forgets the refusal once the subgraph stops answering: the client learns it is unreachable', async () => {
    await withShedSubgraph(
      () => REFUSAL,
      async (orders, call) => {
        for (let i = 0; i < 50; i++) await call(PLACE);
        // From now on every connection is dropped: no answer at all. Once the window has passed, the
        // first calls go out (too few to throttle), fail, and the refusal kept is forgotten: every call
        // after them learns the truth, where a kept refusal would be repeated again from the 21st on.
        orders.dropConnections(() => true);
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        for (let i = 0; i < 40; i++) {
          expect((await call(PLACE)).errors?.[0]?.extensions).toMatchObject({ reason: 'unreachable' });
        }
      },
    );
  });

  it("does not track an operation text longer than 8 KiB: its length is the client's to choose", async () => {
    await withShedSubgraph(
      () => REFUSAL,
      async (orders, call) => {
        const long = `mutation ${'N'.repeat(9_000)}($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
        for (let i = 0; i < 50; i++) expect(await call(long)).toEqual(REFUSAL);
        expect(orders.received()).toBe(50);
      },
    );
  });

  it('never answers a refusal that came with data: only a refusal without any is repeated', async () => {
    const partial = { data: { placeOrder: null, me: { id: 'u-1' } }, errors: REFUSAL.errors };
    await withShedSubgraph(
      () => partial,
      async (orders, call) => {
        for (let i = 0; i < 20; i++) expect(await call(PLACE)).toEqual(partial);
        expect(orders.received()).toBe(20);
      },
    );
  });
});
