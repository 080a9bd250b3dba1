import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getIntrospectionQuery,
  getNamedType,
  isInputObjectType,
  isObjectType,
  type GraphQLInputType,
} from 'graphql';
import { OrderUpdatedDocument, ProductsUpdatedDocument } from '../../client/generated/graphql';
import { signUp } from '../support/shopClient';
import { subscribeOverSse, type Subscribed } from '../support/subscriber';
import { startSupergraph, type Supergraph } from '../support/supergraph';

let sg: Supergraph;

beforeAll(async () => {
  sg = await startSupergraph();
}, 200_000);
afterAll(() => sg?.stop());

async function query(text: string, variables?: Record<string, unknown>, token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return sg.post(sg.gatewayUrl, JSON.stringify({ query: text, variables }), headers);
}

/** Operations products has answered so far, all outcomes, read from its /metrics. */
async function productsRequests(): Promise<number> {
  const text = await (await fetch(`${sg.baseUrl.products}/metrics`)).text();
  return [...text.matchAll(/^graphql_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * 10 + extra + 221 x 9 tokens: distinct fragments rather than one field
 * repeated, which graphql's overlapping-fields check would abort on.
 */
function tokens(extra: number): string {
  const fragments = repeat(221, (i) => `fragment F${i} on ProductConnection { totalCount }`);
  return `{ products(first: 1) { ${repeat(extra, () => 'totalCount')} ${repeat(221, (i) => `...F${i}`)} } } ${fragments}`;
}

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');

function expectRefused(res: { status: number; body: any }, code: string, limit: number, actual?: number) {
  expect(res.status).toBe(400);
  expect(res.body.data).toBeUndefined();
  expect(res.body.errors[0].extensions).toMatchObject({ code, limit, ...(actual === undefined ? {} : { actual }) });
  expect(res.body.errors[0].message).toContain(String(limit));
}

function expectServed(res: { status: number; body: any }) {
  expect(res.body.errors).toBeUndefined();
  expect(res.status).toBe(200);
}

describe('request limits at the gateway (defaults)', () => {
  it('refuses operations over any limit without calling a subgraph', async () => {
    const before = await productsRequests();
    // depth 11 (me 1, 4 per orders level, then orders { totalCount }), through a named and an inline fragment
    expectRefused(
      await query(`{ me { ...A } }
        fragment A on User { orders(first: 1) { edges { ... on OrderEdge { node { user {
          orders(first: 1) { edges { node { user { orders(first: 1) { totalCount } } } } } } } } } } }`),
      'MAX_DEPTH_EXCEEDED',
      10,
      11,
    );
    // 31 aliases, 10 of them in a fragment spread three times
    expectRefused(
      await query(`{ products(first: 1) { ...F ...F ... on ProductConnection { ...F x: totalCount } } }
        fragment F on ProductConnection { ${repeat(10, (i) => `a${i}: totalCount`)} }`),
      'MAX_ALIASES_EXCEEDED',
      30,
      31,
    );
    // 11 root fields
    expectRefused(
      await query(`{ ${repeat(11, (i) => `p${i}: products(first: 1) { totalCount }`)} }`),
      'MAX_ROOT_FIELDS_EXCEEDED',
      10,
      11,
    );
    // nested pages multiply: 2 + 100 x (3 + 1 + 100 x 3)
    expectRefused(
      await query(`{ me { orders(first: 100) { edges { node { user {
        orders(first: 100) { edges { node { id } } } } } } } } }`),
      'MAX_COST_EXCEEDED',
      12_000,
      30_402,
    );
    // cost 1 + 4000 x 3, with first from a variable
    expectRefused(
      await query('query($n: Int) { products(first: $n) { edges { node { id } } } }', { n: 4000 }),
      'MAX_COST_EXCEEDED',
      12_000,
      12_001,
    );
    // 2001 tokens
    expectRefused(await query(tokens(2)), 'MAX_TOKENS_EXCEEDED', 2_000);
    expect(await productsRequests()).toBe(before);
  });

  it('serves operations at each limit', async () => {
    const before = await productsRequests();
    // depth 10
    const deep = await query(`{ me { ...A } }
      fragment A on User { orders(first: 1) { edges { ... on OrderEdge { node { user {
        orders(first: 1) { edges { node { user { id } } } } } } } } } }`);
    expectServed(deep);
    expect(deep.body.data).toEqual({ me: null });
    // 30 aliases
    expectServed(
      await query(`{ products(first: 1) { ...F ...F ... on ProductConnection { ...F } } }
        fragment F on ProductConnection { ${repeat(10, (i) => `a${i}: totalCount`)} }`),
    );
    // 10 root fields
    expectServed(await query(`{ ${repeat(10, (i) => `p${i}: products(first: 1) { totalCount }`)} }`));
    // cost 1 + 3999 x 3 = 11,998: the gateway lets it through, products refuses its page size itself
    const overPage = await query('query($n: Int) { products(first: $n) { edges { node { id } } } }', { n: 3999 });
    expect(overPage.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    // the largest page products serves, with the whole product and stock: 1 + 100 x 12 = 1201
    const page = await query(
      `{ products(first: 100) { edges { node { id sku name description price { amount currency } available inStock } } } }`,
    );
    expectServed(page);
    // 2000 tokens
    expectServed(await query(tokens(1)));
    expect(await productsRequests()).toBeGreaterThan(before);
  });

  it('serves the full introspection query Apollo Sandbox sends', async () => {
    const res = await query(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expectServed(res);
    expect(res.body.data.__schema.queryType.name).toBe('Query');
  });

  it('answers a body over 2 MB with 413 and serves one just under', async () => {
    const body = (bytes: number) => {
      const start = JSON.stringify({ query: '{ __typename }', variables: { pad: '' } });
      return start.replace('"pad":""', `"pad":"${'x'.repeat(bytes - start.length)}"`);
    };
    const under = await sg.post(sg.gatewayUrl, body(2 * 1024 * 1024));
    expect(under.status).toBe(200);
    expect(under.body.data).toEqual({ __typename: 'Query' });
    const over = await sg.post(sg.gatewayUrl, body(2 * 1024 * 1024 + 1));
    expect(over.status).toBe(413);
    expect(over.body.errors[0]).toMatchObject({
      message: expect.stringContaining(String(2 * 1024 * 1024)),
      extensions: { code: 'BAD_REQUEST' },
    });
  });
});

describe('cost of lists (defaults)', () => {
  it('refuses 100 orders with their items and history, which counted 902 while lists counted once', async () => {
    const before = await productsRequests();
    expectRefused(
      await query(`{ me { orders(first: 100) { edges { node {
        items { product { id name } } history { status at } } } } } }`),
      'MAX_COST_EXCEEDED',
      12_000,
      // me 1 + orders 1 + 100 x (edges 1 + node 1 + items (1 + 100 x 3) + history (1 + 4 x 2))
      31_202,
    );
    expect(await productsRequests()).toBe(before);
  });
});

type FirstError = { message: string; extensions?: Record<string, unknown> } | undefined;

/** What refused a subscription over SSE: the error it ended with, or its first frame's; waiting 3 s at most. */
async function subscriptionError<T>(sub: Subscribed<T>): Promise<FirstError> {
  try {
    await Promise.race([sub.ended, sub.until(1, 3_000)]);
    return sub.frames[0]?.errors?.[0];
  } catch (error) {
    // graphql-sse rejects with a refused subscription's errors; anything else (no frame in time) is no refusal.
    return Array.isArray(error) ? (error[0] as FirstError) : { message: String(error) };
  } finally {
    sub.close();
  }
}

describe('string lengths', () => {
  const search = 'query($s: String) { products(search: $s) { totalCount } }';

  it('refuses a 100,000-character search at the gateway in milliseconds, without calling products', async () => {
    const before = await productsRequests();
    const started = Date.now();
    const res = await query(search, { s: 's'.repeat(100_000) });
    const literal = await query(`{ products(search: "${'s'.repeat(100_000)}") { totalCount } }`);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      message: '$s is 100000 characters, over the limit of 10000',
      extensions: { code: 'BAD_USER_INPUT', limit: 10_000, actual: 100_000 },
    });
    expect(literal.status).toBe(400);
    expect(literal.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
    expect(await productsRequests()).toBe(before);
  });

  it('has products refuse a 201-character search, naming the argument and its bound, and serve 200', async () => {
    const before = await productsRequests();
    const over = await query(search, { s: 's'.repeat(201) });
    expect(over.body.errors[0]).toMatchObject({
      message: 'search must be at most 200 characters',
      extensions: { code: 'BAD_USER_INPUT', field: 'search', serviceName: 'products' },
    });
    expectServed(await query(search, { s: 's'.repeat(200) }));
    expect(await productsRequests()).toBe(before + 2);
  });

  it('bounds every String and ID argument and input field of the API: one over its bound is refused', async () => {
    const api = buildSchema(readFileSync(path.resolve(__dirname, '../../schema/api.graphql'), 'utf8'));
    const coordinates: string[] = [];
    for (const type of Object.values(api.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      const stringly = (t: GraphQLInputType) => ['String', 'ID'].includes(getNamedType(t).name);
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          for (const arg of field.args)
            if (stringly(arg.type)) coordinates.push(`${type.name}.${field.name}(${arg.name})`);
        }
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields()))
          if (stringly(field.type)) coordinates.push(`${type.name}.${field.name}`);
      }
    }

    const admin = (
      await query('mutation { logIn(email: "admin@example.com", password: "test-admin-password") { token } }')
    ).body.data.logIn.token as string;
    const customer = await signUp(sg, `bounds-${randomUUID()}@example.com`);
    const ask = async (text: string, variables: Record<string, unknown>, token?: string): Promise<FirstError> =>
      (await query(text, variables, token)).body.errors?.[0];
    const order = (input: Record<string, unknown>) =>
      ask(
        'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }',
        {
          i: { items: [{ productId: randomUUID(), quantity: 1 }], paymentMethod: { cardToken: 'tok_visa' }, ...input },
        },
        customer,
      );
    const product = (input: Record<string, unknown>) =>
      ask(
        'mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }',
        {
          i: { sku: `B-${randomUUID()}`, name: 'Bounded', price: 1, ...input },
        },
        admin,
      );
    const account = (input: Record<string, unknown>) =>
      ask('mutation($i: SignUpInput!) { signUp(input: $i) { token } }', {
        i: { email: `b-${randomUUID()}@example.com`, password: 'long enough pw', name: 'B', ...input },
      });
    const byId = (field: string, token?: string) => (v: string) =>
      ask(`query($v: ID!) { ${field}(id: $v) { id } }`, { v }, token);

    // Per coordinate: its bound, how to send a value for it, the field the refusal names and its code.
    const cases: Record<
      string,
      { bound: number; send: (v: string) => Promise<FirstError>; field?: string; code?: string }
    > = {
      'Query.order(id)': { bound: 36, send: byId('order', customer), field: 'id' },
      'Query.payment(id)': { bound: 36, send: byId('payment', customer), field: 'id' },
      'Query.product(id)': { bound: 36, send: byId('product'), field: 'id' },
      'Query.user(id)': { bound: 36, send: byId('user', admin), field: 'id' },
      'Query.products(search)': { bound: 200, send: (v) => ask(search, { s: v }), field: 'search' },
      'Query.products(after)': {
        bound: 1_700,
        send: (v) => ask('query($a: String) { products(after: $a) { totalCount } }', { a: v }),
        field: 'after',
      },
      'User.orders(after)': {
        bound: 100,
        send: (v) => ask('query($a: String) { me { orders(after: $a) { totalCount } } }', { a: v }, customer),
        field: 'after',
      },
      'Mutation.restock(productId)': {
        bound: 36,
        send: (v) => ask('mutation($v: ID!) { restock(productId: $v, quantity: 1) { id } }', { v }, admin),
        field: 'productId',
      },
      'Mutation.cancelOrder(id)': {
        bound: 36,
        send: (v) => ask('mutation($v: ID!) { cancelOrder(id: $v) { id } }', { v }, customer),
        field: 'id',
      },
      'Mutation.logIn(email)': {
        bound: 254,
        send: (v) => ask('mutation($e: String!) { logIn(email: $e, password: "long enough pw") { token } }', { e: v }),
        field: 'email',
      },
      // Answered as a wrong password is (AccountService.logIn), before scrypt sees it.
      'Mutation.logIn(password)': {
        bound: 128,
        send: (v) =>
          ask('mutation($p: String!) { logIn(email: "admin@example.com", password: $p) { token } }', { p: v }),
        code: 'UNAUTHENTICATED',
      },
      'Subscription.orderUpdated(id)': {
        bound: 36,
        send: (id) =>
          subscriptionError(subscribeOverSse(sg.gatewayUrl, OrderUpdatedDocument, { id }, { token: customer })),
        field: 'id',
      },
      'Subscription.productsUpdated(ids)': {
        bound: 36,
        send: (id) => subscriptionError(subscribeOverSse(sg.gatewayUrl, ProductsUpdatedDocument, { ids: [id] })),
        field: 'ids',
      },
      'PlaceOrderInput.idempotencyKey': {
        bound: 100,
        send: (v) => order({ idempotencyKey: v }),
        field: 'idempotencyKey',
      },
      'OrderItemInput.productId': {
        bound: 36,
        send: (v) => order({ items: [{ productId: v, quantity: 1 }] }),
        field: 'productId',
      },
      'PaymentMethodInput.cardToken': {
        bound: 100,
        send: (v) => order({ paymentMethod: { cardToken: v } }),
        field: 'cardToken',
      },
      'CreateProductInput.sku': { bound: 64, send: (v) => product({ sku: v }), field: 'sku' },
      'CreateProductInput.name': { bound: 200, send: (v) => product({ name: v }), field: 'name' },
      'CreateProductInput.description': {
        bound: 2_000,
        send: (v) => product({ description: v }),
        field: 'description',
      },
      'CreateProductInput.currency': {
        bound: 3,
        send: (v) => product({ currency: v.toUpperCase() }),
        field: 'currency',
      },
      'SignUpInput.email': { bound: 254, send: (v) => account({ email: v }), field: 'email' },
      'SignUpInput.password': { bound: 128, send: (v) => account({ password: v }), field: 'password' },
      'SignUpInput.name': { bound: 100, send: (v) => account({ name: v }), field: 'name' },
    };
    expect(coordinates.sort()).toEqual(Object.keys(cases).sort());

    const refusals: Record<string, unknown> = {};
    for (const [coordinate, { bound, send, field, code = 'BAD_USER_INPUT' }] of Object.entries(cases)) {
      const error = await send('a'.repeat(bound + 1));
      const named =
        field === undefined ||
        error?.extensions?.field === field ||
        JSON.stringify(error?.extensions?.validationErrors ?? []).includes(`"property":"${field}"`);
      refusals[coordinate] = error?.extensions?.code === code && named ? 'refused' : error;
    }
    expect(refusals).toEqual(Object.fromEntries(Object.keys(cases).map((c) => [c, 'refused'])));
  });
});
