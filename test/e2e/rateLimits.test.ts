import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { scrapeSum } from '../support/prometheusText';
import { startSupergraph, type Supergraph } from '../support/supergraph';
import { TcpProxy } from '../support/tcpProxy';

const REDIS_URL = 'redis://127.0.0.1:6379';
const KEY_PREFIX = `test-ratelimit-${randomUUID()}`;

let sg: Supergraph;

beforeAll(async () => {
  sg = await startSupergraph({
    AUTH_RATE_LIMIT_POINTS: '5',
    // Each case sends its own X-Forwarded-For, so the cases do not share a budget.
    TRUST_PROXY: 'loopback',
    // Room for 1,000 aliased logIns, so the rate limit (not a shape limit) is what refuses them.
    MAX_ALIASES: '2000',
    MAX_ROOT_FIELDS: '2000',
    MAX_TOKENS: '20000',
  });
}, 200_000);
afterAll(async () => {
  await sg?.stop();
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${KEY_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
});

const logIn = (alias: string) => `${alias}: logIn(email: "nobody@example.com", password: "wrong-password") { token }`;

async function send(url: string, query: string, ip: string, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': ip,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query }),
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

const codeOf = (res: Awaited<ReturnType<typeof send>>) => res.body.errors?.[0]?.extensions?.code;

describe('auth rate limit (5 attempts per IP per minute)', () => {
  it('refuses 1,000 aliased logIns in one request without calling users, and does not charge them', async () => {
    const before = await usersRequests();
    const batch = `mutation { ${Array.from({ length: 1000 }, (_, i) => logIn(`a${i}`)).join(' ')} }`;
    const refusedBefore = await scrapeSum(sg.baseUrl.gateway, 'rate_limit_refusals_total', { limit: 'auth_attempts' });
    expectLimited(await send(sg.gatewayUrl, batch, '203.0.113.1'));
    expect(await usersRequests()).toBe(before);
    expect(await scrapeSum(sg.baseUrl.gateway, 'rate_limit_refusals_total', { limit: 'auth_attempts' })).toBe(
      refusedBefore + 1,
    );
    // The refused batch left the budget whole: a single attempt still reaches users.
    expect(codeOf(await send(sg.gatewayUrl, `mutation { ${logIn('one')} }`, '203.0.113.1'))).toBe('UNAUTHENTICATED');
  });

  it('refuses the 6th logIn within the window, and only logIn', async () => {
    for (let i = 0; i < 5; i++) {
      expect(codeOf(await send(sg.gatewayUrl, `mutation { ${logIn('x')} }`, '203.0.113.2'))).toBe('UNAUTHENTICATED');
    }
    expectLimited(await send(sg.gatewayUrl, `mutation { ${logIn('x')} }`, '203.0.113.2'));
    const query = await send(sg.gatewayUrl, '{ products(first: 1) { totalCount } }', '203.0.113.2');
    expect(query.body.errors).toBeUndefined();
  });

  it('is shared by gateways using the same Redis', async () => {
    const shared = { REDIS_URL, RATE_LIMIT_KEY_PREFIX: KEY_PREFIX, ...sameKey() };
    const [a, b] = await Promise.all([sg.startGateway(shared), sg.startGateway(shared)]);
    try {
      for (let i = 0; i < 5; i++) {
        expect(codeOf(await send(`${a.url}/graphql`, `mutation { ${logIn('x')} }`, '203.0.113.3'))).toBe(
          'UNAUTHENTICATED',
        );
      }
      expectLimited(await send(`${b.url}/graphql`, `mutation { ${logIn('x')} }`, '203.0.113.3'));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 60_000);
});

describe('operation rate limit (per user, per IP when anonymous)', () => {
  it('gives each user their own budget, apart from the anonymous budget of their IP', async () => {
    const signUp = (email: string) =>
      send(
        sg.gatewayUrl,
        `mutation { signUp(input: { email: "${email}", password: "long enough password", name: "R" }) { token } }`,
        '203.0.113.10',
      );
    const alice = (await signUp('alice-rl@example.com')).body.data.signUp.token as string;
    const bob = (await signUp('bob-rl@example.com')).body.data.signUp.token as string;
    const gateway = await sg.startGateway({ RATE_LIMIT_POINTS: '5', ...sameKey() });
    try {
      const url = `${gateway.url}/graphql`;
      const me = '{ me { email } }';
      for (let i = 0; i < 5; i++) expect((await send(url, me, '203.0.113.11', alice)).body.errors).toBeUndefined();
      expectLimited(await send(url, me, '203.0.113.11', alice));
      // Another IP does not help alice: the budget follows the user.
      expectLimited(await send(url, me, '203.0.113.12', alice));
      expect((await send(url, me, '203.0.113.11', bob)).body.data.me.email).toBe('bob-rl@example.com');
      expect((await send(url, me, '203.0.113.11')).body).toEqual({ data: { me: null } });
      expect(await scrapeSum(gateway.url, 'rate_limit_refusals_total', { limit: 'operations' })).toBe(2);
    } finally {
      await gateway.stop();
    }
  }, 60_000);

  it('lets requests through, counted, while Redis cannot be reached', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', 6379);
    const gateway = await sg.startGateway({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      RATE_LIMIT_KEY_PREFIX: KEY_PREFIX,
      ...sameKey(),
    });
    try {
      const url = `${gateway.url}/graphql`;
      const query = '{ products(first: 1) { totalCount } }';
      expect((await send(url, query, '203.0.113.20')).body.errors).toBeUndefined();
      expect(await scrapeSum(gateway.url, 'rate_limit_store_failures_total')).toBe(0);
      proxy.cutOff();
      for (let i = 0; i < 3; i++) expect((await send(url, query, '203.0.113.20')).body.errors).toBeUndefined();
      expect(await scrapeSum(gateway.url, 'rate_limit_store_failures_total')).toBe(3);
    } finally {
      await gateway.stop();
      await proxy.close();
    }
  }, 60_000);
});

describe('the client address behind proxies (TRUST_PROXY), for the anonymous budget', () => {
  // One socket's peer (this test, 127.0.0.1) for every request; only X-Forwarded-For differs.
  const anonymous = (url: string, forwardedFor: string) => send(url, '{ __typename }', forwardedFor);
  const withGateway = async (trustProxy: string, test: (url: string) => Promise<void>) => {
    const gateway = await sg.startGateway({ TRUST_PROXY: trustProxy, RATE_LIMIT_POINTS: '3', ...sameKey() });
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
    });
  }, 60_000);
});
