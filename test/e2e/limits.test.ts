import { getIntrospectionQuery } from 'graphql';
import { startSupergraph, type Supergraph } from '../support/supergraph';

let sg: Supergraph;

beforeAll(async () => {
  sg = await startSupergraph();
}, 200_000);
afterAll(() => sg?.stop());

async function query(text: string, variables?: Record<string, unknown>) {
  return sg.post(sg.gatewayUrl, JSON.stringify({ query: text, variables }));
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
      5_000,
      30_402,
    );
    // cost 1 + 1667 x 3, with first from a variable
    expectRefused(
      await query('query($n: Int) { products(first: $n) { edges { node { id } } } }', { n: 1667 }),
      'MAX_COST_EXCEEDED',
      5_000,
      5_002,
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
    // cost 1 + 1666 x 3 = 4999: the gateway lets it through, products refuses its page size itself
    const overPage = await query('query($n: Int) { products(first: $n) { edges { node { id } } } }', { n: 1666 });
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
