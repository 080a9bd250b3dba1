import { randomUUID } from 'node:crypto';
import { eventually } from '../support/eventually';
import { scrapeSum } from '../support/prometheusText';
import { ShopClient } from '../support/shopClient';
import { startSupergraph, type ExtraProcess, type Supergraph } from '../support/supergraph';
import { TestRedisServer } from '../support/testRedisServer';

const KEY_PREFIX = `test-ratelimit-${randomUUID()}`;

let sg: Supergraph;
// The main gateway keeps its budgets in a Redis of this test's own, which the last case takes away.
let redis: TestRedisServer;

beforeAll(async () => {
  redis = await TestRedisServer.start();
  sg = await startSupergraph({
    REDIS_URL: redis.url,
    RATE_LIMIT_KEY_PREFIX: KEY_PREFIX,
    AUTH_RATE_LIMIT_POINTS: '5',
    // Room for 1,000 aliased logIns (1,000 points: one per root field), so the auth limit is what refuses them.
    RATE_LIMIT_POINTS: '2000',
    // Short lockouts, to see the second one double the first.
    ACCOUNT_LOCKOUT_SECONDS: '1',
    // Each case sends its own X-Forwarded-For, so the cases do not share a budget.
    TRUST_PROXY: 'loopback',
    MAX_ALIASES: '2000',
    MAX_ROOT_FIELDS: '2000',
    MAX_TOKENS: '20000',
  });
}, 200_000);
afterAll(async () => {
  await sg?.stop();
  await redis?.kill();
});

const logIn = (alias: string, email: string, password = 'wrong-password') =>
  `${alias}: logIn(email: "${email}", password: "${password}") { token }`;
const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

async function send(url: string, query: string, ip: string, token?: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': ip,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as any,
  };
}

/** Operations users has answered so far, all outcomes, read from its /metrics. */
async function usersRequests(): Promise<number> {
  const text = await (await fetch(`${sg.baseUrl.users}/metrics`)).text();
  return [...text.matchAll(/^graphql_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

function expectLimited(res: Awaited<ReturnType<typeof send>>) {
  expect(res.status).toBe(429);
  expect(res.body.data).toBeUndefined();
  const { code, retryAfterSeconds } = res.body.errors[0].extensions;
  expect(code).toBe('RATE_LIMITED');
  expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(retryAfterSeconds).toBeLessThanOrEqual(60);
  expect(res.retryAfter).toBe(String(retryAfterSeconds));
}

/** Same signing key as the first gateway, whose JWKS the subgraphs trust. */
const sameKey = () => ({ SIGNING_KEY_FILE: `${sg.env.DATA_DIR}/keys/gateway.pem` });
/** Budgets of its own for a gateway started by one case (the others share the main gateway's Redis). */
const ownBudgets = () => ({ RATE_LIMIT_KEY_PREFIX: `${KEY_PREFIX}-${randomUUID().slice(0, 8)}`, ...sameKey() });

const codeOf = (res: Awaited<ReturnType<typeof send>>) => res.body.errors?.[0]?.extensions?.code;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('auth rate limit (5 attempts per client address per minute)', () => {
  it('refuses 1,000 aliased logIns in one request without calling users, and does not charge them', async () => {
    const email = uniqueEmail('batch');
    const before = await usersRequests();
    const batch = `mutation { ${Array.from({ length: 1000 }, (_, i) => logIn(`a${i}`, email)).join(' ')} }`;
    const refusedBefore = await scrapeSum(sg.baseUrl.gateway, 'rate_limit_refusals_total', { limit: 'auth_attempts' });
    expectLimited(await send(sg.gatewayUrl, batch, '203.0.113.1'));
    expect(await usersRequests()).toBe(before);
    expect(await scrapeSum(sg.baseUrl.gateway, 'rate_limit_refusals_total', { limit: 'auth_attempts' })).toBe(
      refusedBefore + 1,
    );
    // The refused batch left the budget whole: a single attempt still reaches users.
    expect(codeOf(await send(sg.gatewayUrl, `mutation { ${logIn('one', email)} }`, '203.0.113.1'))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('refuses the 6th logIn from one address within the window, whichever accounts it tries, and only logIn', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await send(sg.gatewayUrl, `mutation { ${logIn('x', uniqueEmail('ip'))} }`, '203.0.113.2');
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
    }
    expectLimited(await send(sg.gatewayUrl, `mutation { ${logIn('x', uniqueEmail('ip'))} }`, '203.0.113.2'));
    const query = await send(sg.gatewayUrl, '{ products(first: 1) { totalCount } }', '203.0.113.2');
    expect(query.body.errors).toBeUndefined();
  });
});

describe('logIn per account (5 tries, then lockouts that double), from any number of addresses', () => {
  const password = 'the right password';
  const signUp = async (email: string) => {
    const query = `mutation { signUp(input: { email: "${email}", password: "${password}", name: "V" }) { token } }`;
    expect(
      (await send(sg.gatewayUrl, query, `198.18.0.${Math.floor(Math.random() * 250)}`)).body.errors,
    ).toBeUndefined();
  };
  let address = 0;
  /** Each try from an address of its own, as an attacker with a botnet would send them. */
  const tryLogIn = (email: string, pw = 'wrong-password') =>
    send(
      sg.gatewayUrl,
      `mutation { ${logIn('l', email, pw)} }`,
      `198.19.${Math.floor(address / 250)}.${address++ % 250}`,
    );
  const failFiveTimes = async (email: string) => {
    for (let i = 0; i < 4; i++) expect(codeOf(await tryLogIn(email))).toBe('UNAUTHENTICATED');
    // The account is its normalised email, however the client spells it and wherever it puts it.
    const spelled = `  ${email.toUpperCase()} `;
    const viaVariable = await send(
      sg.gatewayUrl,
      'mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }',
      `198.19.${Math.floor(address / 250)}.${address++ % 250}`,
      undefined,
      { e: spelled, p: 'wrong-password' },
    );
    expect(codeOf(viaVariable)).toBe('UNAUTHENTICATED');
  };

  it('locks an account out after 5 tries from 5 addresses, 1 s then 2 s, with the same refusal whether it exists or not', async () => {
    const victim = uniqueEmail('victim');
    await signUp(victim);
    const ghost = uniqueEmail('ghost');
    const refusedBefore = await scrapeSum(sg.baseUrl.gateway, 'rate_limit_refusals_total', {
      limit: 'account_attempts',
    });

    await failFiveTimes(victim);
    await failFiveTimes(ghost);
    const before = await usersRequests();
    const [victimRefused, ghostRefused] = [await tryLogIn(victim), await tryLogIn(ghost)];
    expect(await usersRequests()).toBe(before);
    for (const refused of [victimRefused, ghostRefused]) {
      expectLimited(refused);
      expect(refused.retryAfter).toBe('1');
    }
    expect(ghostRefused.body).toEqual(victimRefused.body);
    // Refused for the account, from a fresh address: the owner's right password too, while locked out.
    expectLimited(await tryLogIn(victim, password));

    await pause(1_100);
    await failFiveTimes(victim);
    await failFiveTimes(ghost);
    for (const refused of [await tryLogIn(victim), await tryLogIn(ghost)]) {
      expectLimited(refused);
      expect(refused.retryAfter).toBe('2');
    }
    expect(await scrapeSum(sg.baseUrl.gateway, 'rate_limit_refusals_total', { limit: 'account_attempts' })).toBe(
      refusedBefore + 5,
    );
  }, 30_000);

  it("forgets an account's failed tries and lockouts once its owner logs in", async () => {
    const owner = uniqueEmail('owner');
    await signUp(owner);
    await failFiveTimes(owner);
    expect((await tryLogIn(owner)).retryAfter).toBe('1');
    await pause(1_100);
    expect((await tryLogIn(owner, password)).body.data.l.token).toEqual(expect.any(String));
    // Five tries again, and the next lockout is the first one's length, not twice it.
    await failFiveTimes(owner);
    expect((await tryLogIn(owner)).retryAfter).toBe('1');
  }, 30_000);
});

describe('operation rate limit (per user, per client address when anonymous; a mutation per root field)', () => {
  let small: ExtraProcess;
  beforeAll(async () => {
    small = await sg.startGateway({ RATE_LIMIT_POINTS: '5', ...ownBudgets() });
  }, 60_000);
  afterAll(async () => {
    await small?.stop();
  });

  it('gives each user their own budget, apart from the anonymous budget of their address', async () => {
    const signUp = (email: string) =>
      send(
        sg.gatewayUrl,
        `mutation { signUp(input: { email: "${email}", password: "long enough password", name: "R" }) { token } }`,
        '203.0.113.10',
      );
    const alice = (await signUp(uniqueEmail('alice'))).body.data.signUp.token as string;
    const bobEmail = uniqueEmail('bob');
    const bob = (await signUp(bobEmail)).body.data.signUp.token as string;
    const url = `${small.url}/graphql`;
    const me = '{ me { email } }';
    const refusedBefore = await scrapeSum(small.url, 'rate_limit_refusals_total', { limit: 'operations' });
    for (let i = 0; i < 5; i++) expect((await send(url, me, '203.0.113.11', alice)).body.errors).toBeUndefined();
    expectLimited(await send(url, me, '203.0.113.11', alice));
    // Another address does not help alice: the budget follows the user.
    expectLimited(await send(url, me, '203.0.113.12', alice));
    expect((await send(url, me, '203.0.113.11', bob)).body.data.me.email).toBe(bobEmail);
    expect((await send(url, me, '203.0.113.11')).body).toEqual({ data: { me: null } });
    expect(await scrapeSum(small.url, 'rate_limit_refusals_total', { limit: 'operations' })).toBe(refusedBefore + 2);
  }, 60_000);

  it('charges each aliased placeOrder a point, and refuses unplaced a mutation over the remaining budget', async () => {
    const shop = await ShopClient.signIn(sg);
    const productId = await shop.newProduct(100);
    const place = (n: number) =>
      send(
        `${small.url}/graphql`,
        `mutation { ${Array.from(
          { length: n },
          (_, i) =>
            `o${i}: placeOrder(input: { items: [{ productId: "${productId}", quantity: 1 }], paymentMethod: { cardToken: "tok_visa" } }) { id }`,
        ).join(' ')} }`,
        '203.0.113.13',
        shop.customerToken,
      );
    // Counted through the main gateway, whose budget this user has not touched.
    const placed = async () =>
      (await send(sg.gatewayUrl, '{ me { orders { totalCount } } }', '203.0.113.14', shop.customerToken)).body.data.me
        .orders.totalCount as number;

    expectLimited(await place(6));
    expect(await placed()).toBe(0);
    expect(Object.keys((await place(2)).body.data)).toEqual(['o0', 'o1']);
    // 3 points left: 4 placeOrders are refused whole, none placed.
    expectLimited(await place(4));
    expect(await placed()).toBe(2);
    expect(Object.keys((await place(3)).body.data)).toHaveLength(3);
    expectLimited(await send(`${small.url}/graphql`, '{ __typename }', '203.0.113.13', shop.customerToken));
    expect(await placed()).toBe(5);
  }, 60_000);
});

describe('the client address behind proxies (TRUST_PROXY), for the anonymous budget', () => {
  // One socket's peer (this test, 127.0.0.1) for every request; only X-Forwarded-For differs.
  const anonymous = (url: string, forwardedFor: string) => send(url, '{ __typename }', forwardedFor);
  const withGateway = async (trustProxy: string, test: (url: string) => Promise<void>) => {
    const gateway = await sg.startGateway({ TRUST_PROXY: trustProxy, RATE_LIMIT_POINTS: '3', ...ownBudgets() });
    try {
      await test(`${gateway.url}/graphql`);
    } finally {
      await gateway.stop();
    }
  };

  it('ignores X-Forwarded-For when unset: requests from one socket share one budget, whatever they claim', async () => {
    await withGateway('', async (url) => {
      for (const claimed of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        expect((await anonymous(url, claimed)).body).toEqual({ data: { __typename: 'Query' } });
      }
      expectLimited(await anonymous(url, '198.51.100.4'));
    });
  }, 60_000);

  it('with a hop count of 1, keys the budget by the address the proxy saw, and a forged left-most entry gets no fresh one', async () => {
    await withGateway('1', async (url) => {
      for (let i = 0; i < 3; i++) expect((await anonymous(url, '198.51.100.1')).body.errors).toBeUndefined();
      expectLimited(await anonymous(url, '198.51.100.1'));
      // Another client behind the same proxy has a budget of its own.
      expect((await anonymous(url, '198.51.100.2')).body).toEqual({ data: { __typename: 'Query' } });
      // The client sent its own X-Forwarded-For; the proxy appended the address it saw. Only that one counts.
      expectLimited(await anonymous(url, '203.0.113.99, 198.51.100.1'));
      // An IPv6 client is its /64: another interface id in it is the same client.
      for (const ip of ['2001:db8:7:7::1', '2001:db8:7:7::2', '2001:db8:7:7:abcd::3']) {
        expect((await anonymous(url, ip)).body.errors).toBeUndefined();
      }
      expectLimited(await anonymous(url, '2001:db8:7:7:ffff:ffff:ffff:ffff'));
      expect((await anonymous(url, '2001:db8:7:8::1')).body.errors).toBeUndefined();
    });
  }, 60_000);
});

describe('budgets shared through Redis, and per gateway replica while it is away', () => {
  const logInFrom = (gatewayUrl: string, ip: string) =>
    send(gatewayUrl, `mutation { ${logIn('x', uniqueEmail('shared'))} }`, ip);
  const linesOf = (service: 'gateway' | 'gateway-2', text: string) =>
    sg.output(service).filter((line) => line.includes(text));
  const available = (url: string) => scrapeSum(url, 'rate_limit_store_available');

  it('shares one budget between two gateways; while Redis is away each still limits, in memory, counted and logged once; then shares again', async () => {
    // At info, to see the line saying Redis is back (the harness runs the services at warn).
    const second = await sg.startGateway({ LOG_LEVEL: 'info', ...sameKey() });
    const gateways = [sg.gatewayUrl, `${second.url}/graphql`];
    try {
      // Shared: 5 attempts between the two gateways, then the other one refuses the 6th.
      for (let i = 0; i < 5; i++)
        expect(codeOf(await logInFrom(gateways[i % 2], '203.0.113.50'))).toBe('UNAUTHENTICATED');
      expectLimited(await logInFrom(gateways[1], '203.0.113.50'));
      expect(await scrapeSum(sg.baseUrl.gateway, 'rate_limit_store_fallbacks_total')).toBe(0);

      await redis.kill();
      await eventually(async () => (await available(sg.baseUrl.gateway)) === 0 && (await available(second.url)) === 0);
      // Limited still, by each gateway alone: 5 attempts on each, the 6th refused.
      for (const gateway of gateways) {
        for (let i = 0; i < 5; i++) expect(codeOf(await logInFrom(gateway, '203.0.113.51'))).toBe('UNAUTHENTICATED');
        expectLimited(await logInFrom(gateway, '203.0.113.51'));
      }
      expect(await scrapeSum(sg.baseUrl.gateway, 'rate_limit_store_fallbacks_total')).toBeGreaterThanOrEqual(6);
      expect(linesOf('gateway', 'rate limit store (Redis) unavailable')).toHaveLength(1);

      await redis.start();
      await eventually(
        async () => (await available(sg.baseUrl.gateway)) === 1 && (await available(second.url)) === 1,
        15_000,
      );
      expect(linesOf('gateway', 'rate limit store (Redis) unavailable')).toHaveLength(1);
      expect(linesOf('gateway-2', 'rate limit store (Redis) unavailable')).toHaveLength(1);
      expect(linesOf('gateway-2', 'rate limit store (Redis) available again')).toHaveLength(1);
      const fallbacks = await scrapeSum(sg.baseUrl.gateway, 'rate_limit_store_fallbacks_total');
      for (let i = 0; i < 5; i++)
        expect(codeOf(await logInFrom(gateways[i % 2], '203.0.113.52'))).toBe('UNAUTHENTICATED');
      expectLimited(await logInFrom(gateways[1], '203.0.113.52'));
      expect(await scrapeSum(sg.baseUrl.gateway, 'rate_limit_store_fallbacks_total')).toBe(fallbacks);
    } finally {
      await second.stop();
    }
  }, 90_000);
});
