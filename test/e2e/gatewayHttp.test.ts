import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { print } from 'graphql';
import {
  MyOrdersDocument,
  PlaceOrderDocument,
  ProductsPageDocument,
  SignUpDocument,
} from '../../client/generated/graphql';
import { scrapeSum } from '../support/prometheusText';
import { startSupergraph, type ExtraProcess, type Supergraph } from '../support/supergraph';

const ALLOWED_ORIGIN = 'https://shop.example.com';
const OTHER_ORIGIN = 'https://evil.example.com';

let sg: Supergraph;
/** Production mode, PERSISTED_ONLY, no CORS origin. */
let prod: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  // Every process gets CORS_ORIGINS; only the gateway reads it.
  sg = await startSupergraph({ CORS_ORIGINS: ALLOWED_ORIGIN });
  prod = await sg.startGateway({
    NODE_ENV: 'production',
    // Same signing key as the first gateway, whose JWKS the subgraphs trust.
    SIGNING_KEY_FILE: `${sg.env.DATA_DIR}/keys/gateway.pem`,
    PERSISTED_ONLY: 'true',
    CORS_ORIGINS: '',
  });
}, 200_000);
afterAll(async () => {
  await prod?.stop();
  await sg?.stop();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const json = (body: unknown) => JSON.stringify(body);
const persisted = (text: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(text) } });
const codeOf = (res: { body: any }) => res.body.errors?.[0]?.extensions?.code;

/** A GET of an operation, its fields as URL parameters. */
async function get(url: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  const search = new URLSearchParams(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
  const response = await fetch(`${url}?${search}`, { headers });
  return { status: response.status, body: (await response.json()) as any };
}

const signUp = (email: string) =>
  json({ query: print(SignUpDocument), variables: { input: { email, password: 'correct horse battery', name: 'C' } } });

async function accounts(email: string): Promise<number> {
  const rows = await sg.sql<{ n: number }>('users', 'SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
  return rows[0].n;
}

/** Operations products has answered so far, all outcomes, read from its /metrics. */
async function productsRequests(): Promise<number> {
  const text = await (await fetch(`${sg.baseUrl.products}/metrics`)).text();
  return [...text.matchAll(/^graphql_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

function accessControlHeaders(response: Response): Record<string, string> {
  const found: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name.startsWith('access-control-')) found[name] = value;
  });
  return found;
}

describe('CSRF prevention', () => {
  it('runs a JSON POST mutation and refuses a text/plain or form POST one without running it', async () => {
    const created = await sg.post(sg.gatewayUrl, signUp('json@example.com'));
    expect(created.status).toBe(200);
    expect(created.body.data.signUp.user.email).toBe('json@example.com');

    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const refused = await sg.post(sg.gatewayUrl, signUp('simple@example.com'), { 'content-type': contentType });
      expect(refused.status).toBe(400);
      expect(codeOf(refused)).toBe('BAD_REQUEST');
      expect(refused.body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
    }
    expect(await accounts('simple@example.com')).toBe(0);
  });

  it('never runs a GET mutation, with or without a preflight header', async () => {
    const variables = { input: { email: 'get@example.com', password: 'correct horse battery', name: 'G' } };
    const query = print(SignUpDocument);
    const plain = await get(sg.gatewayUrl, { query, variables });
    expect(plain.status).toBe(400);
    expect(codeOf(plain)).toBe('BAD_REQUEST');
    expect(plain.body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
    // With the header, CSRF prevention lets it by, but Apollo runs only queries over GET.
    const preflighted = await get(sg.gatewayUrl, { query, variables }, { 'apollo-require-preflight': 'true' });
    expect(preflighted.status).toBe(405);
    expect(codeOf(preflighted)).toBe('BAD_REQUEST');
    expect(preflighted.body.errors[0].message).toMatch(/GET requests only support query operations/);
    expect(await accounts('get@example.com')).toBe(0);
  });

  it('serves a GET query only with a header that forces a preflight', async () => {
    const query = '{ products(first: 1) { totalCount } }';
    const plain = await get(sg.gatewayUrl, { query });
    expect(plain.status).toBe(400);
    expect(plain.body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
    const preflighted = await get(sg.gatewayUrl, { query }, { 'apollo-require-preflight': 'true' });
    expect(preflighted.status).toBe(200);
    expect(preflighted.body).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
  });

  it('refuses a batch of operations in one request without running any', async () => {
    const batch = `[${signUp('batch1@example.com')},${signUp('batch2@example.com')}]`;
    const refused = await sg.post(sg.gatewayUrl, batch);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({
      message: 'Operation batching disabled.',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect((await accounts('batch1@example.com')) + (await accounts('batch2@example.com'))).toBe(0);
  });
});

describe('CORS', () => {
  const query = json({ query: '{ products(first: 1) { totalCount } }' });
  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-request-id',
      },
    });

  it('answers an origin of CORS_ORIGINS, exposing x-request-id', async () => {
    const res = await fetch(sg.gatewayUrl, {
      method: 'POST',
      headers: { origin: ALLOWED_ORIGIN, 'content-type': 'application/json' },
      body: query,
    });
    expect(res.status).toBe(200);
    expect(accessControlHeaders(res)).toEqual({
      'access-control-allow-origin': ALLOWED_ORIGIN,
      'access-control-expose-headers': 'x-request-id',
    });
  });

  it("answers an allowed origin's preflight with the headers a client sends", async () => {
    const res = await preflight(sg.gatewayUrl, ALLOWED_ORIGIN);
    expect(res.status).toBe(204);
    const headers = accessControlHeaders(res);
    expect(headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(headers['access-control-allow-methods']).toBe('GET,POST');
    expect(headers['access-control-allow-headers'].split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight', 'x-request-id']),
    );
    expect(headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives another origin, and its preflight, no CORS header', async () => {
    const res = await fetch(sg.gatewayUrl, {
      method: 'POST',
      headers: { origin: OTHER_ORIGIN, 'content-type': 'application/json' },
      body: query,
    });
    expect(accessControlHeaders(res)).toEqual({});
    const refused = await preflight(sg.gatewayUrl, OTHER_ORIGIN);
    expect(accessControlHeaders(refused)).toEqual({});
  });

  it('allows no cross-origin access when CORS_ORIGINS is empty', async () => {
    expect(accessControlHeaders(await preflight(`${prod.url}/graphql`, ALLOWED_ORIGIN))).toEqual({});
  });
});

describe('"Did you mean" suggestions', () => {
  const misspelledItem = { productId: '1', quantiti: 1 };
  // What a client gets wrong, the code it is answered with, and the hint graphql-js would add.
  const MISTAKES: [string, object, string, RegExp][] = [
    [
      'a misspelled field',
      { query: '{ products(first: 1) { totalCont } }' },
      'GRAPHQL_VALIDATION_FAILED',
      /Did you mean "totalCount"\?/,
    ],
    [
      'a misspelled enum value in the operation',
      { query: '{ me { orders(status: PAIDD) { totalCount } } }' },
      'GRAPHQL_VALIDATION_FAILED',
      /Did you mean the enum value "PAID"\?/,
    ],
    [
      'a misspelled enum value in a variable',
      { query: print(MyOrdersDocument), variables: { first: 1, status: 'PAIDD' } },
      'BAD_USER_INPUT',
      /Did you mean the enum value "PAID"\?/,
    ],
    [
      'an unknown field of an input object in the operation',
      {
        query: `mutation { placeOrder(input: { items: [{ productId: "1", quantiti: 1 }], paymentMethod: { cardToken: "tok_visa" } }) { id } }`,
      },
      'GRAPHQL_VALIDATION_FAILED',
      /Did you mean "quantity"\?/,
    ],
    [
      'an unknown field of an input object in a variable',
      {
        query: print(PlaceOrderDocument),
        variables: { input: { items: [misspelledItem], paymentMethod: { cardToken: 'tok_visa' } } },
      },
      'BAD_USER_INPUT',
      /Did you mean "quantity"\?/,
    ],
  ];

  it.each(MISTAKES)('are made in development for %s', async (_mistake, body, code, hint) => {
    const res = await sg.post(sg.gatewayUrl, json(body));
    expect(codeOf(res)).toBe(code);
    expect(res.body.errors.map((e: { message: string }) => e.message)).toContainEqual(expect.stringMatching(hint));
  });

  // The production gateway is PERSISTED_ONLY: the operations with variables are the manifest's.
  it.each(MISTAKES)('are left out in production for %s, with the same code', async (_mistake, body, code) => {
    const res = await sg.post(`${prod.url}/graphql`, json(body));
    expect(codeOf(res)).toBe(code);
    expect(res.body.errors.length).toBeGreaterThan(0);
    for (const error of res.body.errors) expect(error.message).not.toMatch(/Did you mean/);
  });

  it('leave the rest of the message as it was in production', async () => {
    const res = await sg.post(`${prod.url}/graphql`, json(MISTAKES[2][1]));
    expect(res.body.errors[0].message).toBe(
      'Variable "$status" got invalid value "PAIDD"; Value "PAIDD" does not exist in "OrderStatus" enum.',
    );
  });
});

describe('the concurrency cap (GATEWAY_MAX_CONCURRENT_REQUESTS)', () => {
  let capped: ExtraProcess;
  const query = json({ query: '{ products(first: 1) { totalCount } }' });

  beforeAll(async () => {
    capped = await sg.startGateway({
      GATEWAY_MAX_CONCURRENT_REQUESTS: '2',
      SIGNING_KEY_FILE: `${sg.env.DATA_DIR}/keys/gateway.pem`,
    });
  }, 60_000);
  afterAll(async () => {
    await capped?.stop();
  });

  /** A POST whose headers and first bytes are sent, its body held back until finish(): a slow client. */
  function heldRequest(url: string) {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(query) },
    });
    const answered = new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
    });
    req.write(query.slice(0, 5));
    return {
      finish: () => {
        req.end(query.slice(5));
        return answered;
      },
    };
  }

  const inFlight = () => scrapeSum(capped.url, 'gateway_requests_in_flight');
  const refusals = () => scrapeSum(capped.url, 'gateway_requests_refused_total', { reason: 'concurrency' });

  it('refuses a third request at once while two are in flight, counts it, and serves again once they end', async () => {
    const refusedBefore = await refusals();
    const held = [heldRequest(`${capped.url}/graphql`), heldRequest(`${capped.url}/graphql`)];
    const deadline = Date.now() + 5_000;
    while ((await inFlight()) < 2) {
      if (Date.now() > deadline) throw new Error('the held requests were not counted in flight');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const productsBefore = await productsRequests();
    const started = Date.now();
    const third = await fetch(`${capped.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: query,
      signal: AbortSignal.timeout(5_000),
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toEqual({
      errors: [
        {
          message: expect.stringMatching(/capacity/),
          extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'concurrency' },
        },
      ],
    });
    expect(await refusals()).toBe(refusedBefore + 1);
    expect(await productsRequests()).toBe(productsBefore);
    // Probes are not requests to /graphql: they answer at the cap.
    expect((await fetch(`${capped.url}/health`)).status).toBe(200);
    expect((await fetch(`${capped.url}/ready`)).status).toBe(200);

    for (const answer of await Promise.all(held.map((h) => h.finish()))) {
      expect(answer).toEqual({ status: 200, body: { data: { products: { totalCount: expect.any(Number) } } } });
    }
    expect(await inFlight()).toBe(0);
    const next = await sg.post(`${capped.url}/graphql`, query);
    expect(next.status).toBe(200);
    expect(await refusals()).toBe(refusedBefore + 1);
  });
});

describe('automatic persisted queries (the default)', () => {
  it('asks for an unknown hash, registers it with its text, then serves it by hash', async () => {
    const text = 'query ApqProbe { products(first: 1) { totalCount } }';
    const unknown = await sg.post(sg.gatewayUrl, json({ extensions: persisted(text) }));
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await sg.post(sg.gatewayUrl, json({ query: text, extensions: persisted(text) }));
    expect(registered.body).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
    const byHash = await sg.post(sg.gatewayUrl, json({ extensions: persisted(text) }));
    expect(byHash.body).toEqual(registered.body);
  });
});

describe('PERSISTED_ONLY', () => {
  const listed = print(ProductsPageDocument);
  const adHoc = 'query AdHoc { products(first: 1) { totalCount } }';
  const url = () => `${prod.url}/graphql`;

  const page = { products: { totalCount: expect.any(Number), pageInfo: expect.any(Object), edges: expect.any(Array) } };

  it('serves an operation of the manifest sent in full', async () => {
    const res = await sg.post(url(), json({ query: listed, variables: { first: 1 } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: page });
  });

  it('serves an operation of the manifest by its hash alone, without a registration', async () => {
    const before = await productsRequests();
    const res = await sg.post(url(), json({ extensions: persisted(listed), variables: { first: 1 } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: page });
    expect(await productsRequests()).toBeGreaterThan(before);
  });

  it('refuses any other operation before it reaches a subgraph', async () => {
    const before = await productsRequests();
    const refused = await sg.post(url(), json({ query: adHoc }));
    expect(refused.status).toBe(400);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors[0]).toEqual({
      message: expect.stringMatching(/persisted operations/),
      extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' },
    });
    expect(await productsRequests()).toBe(before);

    // a mutation off the list never runs
    const mutation = await sg.post(url(), signUp('adhoc@example.com').replace('mutation SignUp', 'mutation Other'));
    expect(codeOf(mutation)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(await accounts('adhoc@example.com')).toBe(0);
  });

  it('refuses to register an operation by hash, and does not keep it', async () => {
    const registration = await sg.post(url(), json({ query: adHoc, extensions: persisted(adHoc) }));
    expect(registration.status).toBe(400);
    expect(codeOf(registration)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const byHash = await sg.post(url(), json({ extensions: persisted(adHoc) }));
    expect(codeOf(byHash)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('will not start without its manifest', async () => {
    const missing = path.join(sg.env.DATA_DIR, 'no-such-manifest.json');
    const run = promisify(execFile)(process.execPath, ['dist/gateway/main.js'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...sg.env, GATEWAY_PORT: '0', PERSISTED_ONLY: 'true', PERSISTED_OPERATIONS_PATH: missing },
      timeout: 30_000,
    });
    const failure = await run.then(
      () => undefined,
      (error: { code?: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim()).toBe(
      `start failed: invalid setting PERSISTED_OPERATIONS_PATH: no manifest (${missing}); run \`npm run codegen\``,
    );
  });
});
