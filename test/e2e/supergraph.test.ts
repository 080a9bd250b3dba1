import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, importPKCS8, SignJWT } from 'jose';
import {
  CreateProductDocument,
  LogInDocument,
  MeDocument,
  MyOrdersDocument,
  OrderByIdDocument,
  ProductByIdDocument,
  ProductsPageDocument,
  RestockDocument,
  SignUpDocument,
  UserByIdDocument,
} from '../../client/generated/graphql';
import { startSupergraph, type Supergraph } from '../support/supergraph';

let sg: Supergraph;
let adminToken: string;
let customerToken: string;
let customerId: string;

const code = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  sg = await startSupergraph();
  const admin = await sg.execute(LogInDocument, { email: 'admin@example.com', password: 'test-admin-password' });
  adminToken = admin.data!.logIn.token;
}, 200_000);
afterAll(() => sg?.stop());

describe('accounts through the gateway', () => {
  it('signs a customer up, logs them in and answers me', async () => {
    const signUp = await sg.execute(SignUpDocument, {
      input: { email: 'Ada@Example.com', password: 'correct horse battery', name: 'Ada' },
    });
    expect(signUp.errors).toBeUndefined();
    expect(signUp.data?.signUp.user).toMatchObject({ email: 'ada@example.com', name: 'Ada', role: 'CUSTOMER' });
    customerId = signUp.data!.signUp.user.id;

    const logIn = await sg.execute(LogInDocument, { email: 'ada@example.com', password: 'correct horse battery' });
    customerToken = logIn.data!.logIn.token;
    expect(new Date(logIn.data!.logIn.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const me = await sg.execute(MeDocument, {}, customerToken);
    expect(me.data?.me).toMatchObject({ id: customerId, email: 'ada@example.com', role: 'CUSTOMER', active: true });
    expect((await sg.execute(MeDocument, {})).data).toEqual({ me: null });
  });

  it('refuses a duplicate email with CONFLICT', async () => {
    const again = await sg.execute(SignUpDocument, {
      input: { email: 'ada@example.com', password: 'another password', name: 'Ada Two' },
    });
    expect(code(again)).toBe('CONFLICT');
  });

  it('refuses an ADMIN-only query to a customer (FORBIDDEN) and serves it to the ADMIN', async () => {
    expect(code(await sg.execute(UserByIdDocument, { id: customerId }, customerToken))).toBe('FORBIDDEN');
    const asAdmin = await sg.execute(UserByIdDocument, { id: customerId }, adminToken);
    expect(asAdmin.data?.user).toMatchObject({ id: customerId, role: 'CUSTOMER' });
  });

  it('answers UNAUTHENTICATED for a forged, an expired and a malformed token', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setIssuer('supergraph-users')
      .setAudience('supergraph')
      .setSubject(customerId)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('1h')
      .sign(privateKey);
    const [, payload] = customerToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = customerToken.replace(
      payload,
      Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url'),
    );

    // Signed with the users service's real key, but an hour past its expiry.
    const usersKey = await importPKCS8(readFileSync(`${sg.env.DATA_DIR}/keys/users.pem`, 'utf8'), 'ES256');
    const expired = await new SignJWT({ role: 'CUSTOMER' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setIssuer('supergraph-users')
      .setAudience('supergraph')
      .setSubject(customerId)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setNotBefore(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(usersKey);
    const expiredRes = await sg.execute(MeDocument, {}, expired);
    expect(expiredRes.errors?.[0].message).toBe('Token expired');

    for (const token of [forged, tampered, expired, 'not.a.jwt']) {
      const res = await sg.execute(MeDocument, {}, token);
      expect(res.status).toBe(401);
      expect(code(res)).toBe('UNAUTHENTICATED');
    }
    const basic = await sg.post(sg.gatewayUrl, JSON.stringify({ query: '{ me { id } }' }), {
      authorization: 'Basic abc',
    });
    expect(basic.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('the catalog through the gateway', () => {
  let productId: string;

  it('lets the ADMIN create a product and restock it; a customer may do neither', async () => {
    const input = { sku: 'E2E-LAMP', name: 'Desk lamp', price: 4999, initialStock: 3 };
    expect(code(await sg.execute(CreateProductDocument, { input }, customerToken))).toBe('FORBIDDEN');
    expect(code(await sg.execute(CreateProductDocument, { input }))).toBe('UNAUTHENTICATED');

    const created = await sg.execute(CreateProductDocument, { input }, adminToken);
    expect(created.errors).toBeUndefined();
    expect(created.data?.createProduct).toMatchObject({
      sku: 'E2E-LAMP',
      price: { amount: 4999, currency: 'USD' },
      available: 3,
    });
    productId = created.data!.createProduct.id;

    expect(code(await sg.execute(RestockDocument, { productId, quantity: 10 }, customerToken))).toBe('FORBIDDEN');
    const restocked = await sg.execute(RestockDocument, { productId, quantity: 10 }, adminToken);
    expect(restocked.data?.restock).toEqual({ id: productId, name: 'Desk lamp', available: 13, inStock: true });
  });

  it('plans a products page across products and inventory', async () => {
    const page = await sg.execute(ProductsPageDocument, { first: 5, search: 'lamp' });
    expect(page.data?.products.totalCount).toBe(1);
    expect(page.data?.products.edges[0].node).toMatchObject({
      id: productId,
      name: 'Desk lamp',
      available: 13,
      inStock: true,
    });
    expect((await sg.execute(ProductByIdDocument, { id: randomUUID() })).data).toEqual({ product: null });
  });

  it('costs the same number of SQL queries for a page of 50 as for a page of 5', async () => {
    for (let i = 0; i < 50; i++) {
      const res = await sg.execute(
        CreateProductDocument,
        {
          input: {
            sku: `E2E-BULK-${i}`,
            name: `Bulk item ${String(i).padStart(2, '0')}`,
            price: 100 + i,
            initialStock: i,
          },
        },
        adminToken,
      );
      expect(res.errors).toBeUndefined();
    }
    const cost = async (first: number) => {
      const before = { products: await sg.dbQueries('products'), inventory: await sg.dbQueries('inventory') };
      const page = await sg.execute(ProductsPageDocument, { first, search: 'Bulk item' });
      expect(page.data?.products.edges).toHaveLength(first);
      return {
        products: (await sg.dbQueries('products')) - before.products,
        inventory: (await sg.dbQueries('inventory')) - before.inventory,
      };
    };
    const small = await cost(5);
    const large = await cost(50);
    expect(large).toEqual(small);
    expect(small.inventory).toBe(1);
  });

  it('refuses bad input with the right code and writes nothing', async () => {
    const before = (await sg.execute(ProductsPageDocument, { first: 0 })).data!.products.totalCount;
    const negative = await sg.execute(
      CreateProductDocument,
      { input: { sku: 'E2E-NEG', name: 'Neg', price: -5 } },
      adminToken,
    );
    expect(code(negative)).toBe('BAD_USER_INPUT');
    const longName = await sg.execute(
      CreateProductDocument,
      { input: { sku: 'E2E-LONG', name: 'n'.repeat(500), price: 5 } },
      adminToken,
    );
    expect(code(longName)).toBe('BAD_USER_INPUT');
    const negativeRestock = await sg.execute(RestockDocument, { productId, quantity: -3 }, adminToken);
    expect(code(negativeRestock)).toBe('BAD_USER_INPUT');
    const unknownRestock = await sg.execute(RestockDocument, { productId: randomUUID(), quantity: 3 }, adminToken);
    expect(code(unknownRestock)).toBe('NOT_FOUND');
    const badEmail = await sg.execute(SignUpDocument, {
      input: { email: 'not-an-email', password: 'long enough pw', name: 'X' },
    });
    expect(code(badEmail)).toBe('BAD_USER_INPUT');
    const longEmail = await sg.execute(SignUpDocument, {
      input: { email: `${'a'.repeat(300)}@example.com`, password: 'long enough pw', name: 'X' },
    });
    expect(code(longEmail)).toBe('BAD_USER_INPUT');
    expect((await sg.execute(ProductsPageDocument, { first: 0 })).data!.products.totalCount).toBe(before);
    expect((await sg.execute(ProductByIdDocument, { id: productId })).data?.product?.available).toBe(13);
  });

  it('answers malformed JSON, unknown fields and wrong types with clear codes', async () => {
    const malformed = await sg.post(sg.gatewayUrl, '{"query": "{ me { id } ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].extensions.code).toBe('BAD_REQUEST');

    const unknownField = await sg.post(
      sg.gatewayUrl,
      JSON.stringify({ query: '{ products { edges { node { secret } } } }' }),
    );
    expect(unknownField.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const wrongType = await sg.post(
      sg.gatewayUrl,
      JSON.stringify({ query: 'query($n: Int) { products(first: $n) { totalCount } }', variables: { n: 'ten' } }),
    );
    expect(wrongType.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const parse = await sg.post(sg.gatewayUrl, JSON.stringify({ query: '{ products { ' }));
    expect(parse.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('orders through the gateway', () => {
  it('answers order(id) with null for an unknown order and my empty order list', async () => {
    expect(code(await sg.execute(OrderByIdDocument, { id: randomUUID() }))).toBe('UNAUTHENTICATED');
    expect((await sg.execute(OrderByIdDocument, { id: randomUUID() }, customerToken)).data).toEqual({ order: null });
    const mine = await sg.execute(MyOrdersDocument, { first: 10 }, customerToken);
    expect(mine.data?.me?.orders).toEqual({
      totalCount: 0,
      pageInfo: { hasNextPage: false, endCursor: null },
      edges: [],
    });
  });
});

describe('subgraphs cannot be reached around the gateway', () => {
  it('refuses a direct call without a service token, _entities and _service included', async () => {
    const entities = JSON.stringify({
      query: `{ _entities(representations: [{ __typename: "User", id: "${customerId}" }]) { ... on User { email } } }`,
    });
    for (const [service, body] of [
      ['users', entities],
      ['users', JSON.stringify({ query: '{ _service { sdl } }' })],
      ['products', JSON.stringify({ query: '{ products { totalCount } }' })],
      ['orders', JSON.stringify({ query: '{ _service { sdl } }' })],
      ['payments', JSON.stringify({ query: '{ _service { sdl } }' })],
    ] as const) {
      const res = await sg.post(`${sg.baseUrl[service]}/graphql`, body);
      expect(res.status).toBe(401);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(res.body.data).toBeUndefined();
    }
  });

  it('refuses the user JWT itself at a subgraph', async () => {
    const res = await sg.post(`${sg.baseUrl.users}/graphql`, JSON.stringify({ query: '{ me { id } }' }), {
      authorization: `Bearer ${adminToken}`,
    });
    expect(res.status).toBeGreaterThanOrEqual(401);
    expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(res.body.errors[0].extensions.code);
  });
});

describe('probes', () => {
  it('reports health and readiness on every service and metrics on the gateway', async () => {
    for (const base of Object.values(sg.baseUrl)) {
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/ready`)).status).toBe(200);
    }
    const metrics = await (await fetch(`${sg.baseUrl.gateway}/metrics`)).text();
    expect(metrics).toMatch(/graphql_requests_total\{.*outcome="ok"/);
  });
});

describe('production mode', () => {
  it('serves no introspection, no landing page and no stack traces', async () => {
    // Same signing key as the first gateway, whose JWKS the subgraphs trust.
    const prod = await sg.startGateway({
      NODE_ENV: 'production',
      SIGNING_KEY_FILE: `${sg.env.DATA_DIR}/keys/gateway.pem`,
    });
    try {
      const introspection = await sg.post(
        `${prod.url}/graphql`,
        JSON.stringify({ query: '{ __schema { types { name } } }' }),
      );
      expect(introspection.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

      const landing = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await landing.text()).not.toMatch(/sandbox|embeddable/i);

      const forbidden = await sg.post(
        `${prod.url}/graphql`,
        JSON.stringify({ query: `{ user(id: "${customerId}") { id } }` }),
        {
          authorization: `Bearer ${customerToken}`,
        },
      );
      // The code and the service that refused, nothing else.
      expect(forbidden.body.errors[0].extensions).toEqual({ code: 'FORBIDDEN', serviceName: 'users' });

      const products = await sg.post(
        `${prod.url}/graphql`,
        JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
      );
      expect(products.body.data.products.totalCount).toBeGreaterThan(0);
    } finally {
      await prod.stop();
    }
  });

  it('serves Apollo Sandbox as the landing page in development', async () => {
    const landing = await fetch(sg.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(await landing.text()).toMatch(/sandbox/i);
  });
});

describe('the supergraph file', () => {
  it('is reloaded by a running gateway when it changes', async () => {
    const file = path.join(sg.env.DATA_DIR, 'supergraph.graphql');
    const original = readFileSync(path.resolve(__dirname, '../../schema/supergraph.graphql'), 'utf8');
    writeFileSync(file, original);
    const gateway = await sg.startGateway({
      SUPERGRAPH_PATH: file,
      SIGNING_KEY_FILE: `${sg.env.DATA_DIR}/keys/gateway.pem`,
    });
    const query = JSON.stringify({ query: '{ products(first: 1) { edges { node { description } } } }' });
    try {
      expect((await sg.post(`${gateway.url}/graphql`, query)).body.errors).toBeUndefined();
      // The same supergraph without Product.description, as a new deploy might ship it.
      writeFileSync(file, original.replace(/^\s+description: String @join__field\(graph: PRODUCTS\)\n/m, ''));
      let code: string | undefined;
      for (let i = 0; i < 100 && code === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        code = (await sg.post(`${gateway.url}/graphql`, query)).body.errors?.[0]?.extensions?.code;
      }
      expect(code).toBe('GRAPHQL_VALIDATION_FAILED');

      // A broken file is refused: the gateway keeps serving the last good supergraph.
      writeFileSync(file, 'this is not a supergraph');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const stillServing = await sg.post(
        `${gateway.url}/graphql`,
        JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
      );
      expect(stillServing.body.errors).toBeUndefined();
      expect(stillServing.body.data.products.totalCount).toEqual(expect.any(Number));
    } finally {
      await gateway.stop();
    }
  });
});
