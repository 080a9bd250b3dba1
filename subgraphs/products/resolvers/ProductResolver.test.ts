import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import type { UserIdentity } from '../../../platform/auth/identity';
import { startSubgraph } from '../../../platform/subgraph';
import { startSubgraphs, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { inventorySubgraph } from '../../inventory/definition';
import { productsSubgraph } from '../definition';

const admin = { id: randomUUID(), role: 'ADMIN' as const };
const customer = { id: randomUUID(), role: 'CUSTOMER' as const };

const CREATE = `mutation($input: CreateProductInput!) {
  createProduct(input: $input) { id sku name description price { amount currency } }
}`;
const PAGE = `query($first: Int, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { sku name } }
  }
}`;

let h: SubgraphHarness;

async function createProduct(input: Record<string, unknown>, user: UserIdentity = admin) {
  return h.request<{ createProduct: { id: string; sku: string } }>('products', CREATE, { input }, { user });
}

async function productCount(): Promise<number> {
  const [{ count }] = await h.services.products.runtime.dataSource.query('SELECT count(*)::int AS count FROM products');
  return count as number;
}

async function dbQueries(): Promise<number> {
  return h.requestQueries('products');
}

beforeAll(async () => {
  h = await startSubgraphs([inventorySubgraph, productsSubgraph]);
});
afterAll(() => h?.stop());

describe('products subgraph', () => {
  it('lets an ADMIN create a product and gives it its initial stock in inventory', async () => {
    const res = await createProduct({ sku: 'MUG-1', name: 'Mug', description: 'A mug', price: 1299, initialStock: 7 });
    expect(res.errors).toBeUndefined();
    expect(res.data?.createProduct).toMatchObject({
      sku: 'MUG-1',
      name: 'Mug',
      price: { amount: 1299, currency: 'USD' },
    });

    const id = res.data!.createProduct.id;
    const stock = await h.request<{ _entities: { available: number; inStock: boolean }[] }>(
      'inventory',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { available inStock } } }`,
      { r: [{ __typename: 'Product', id }] },
    );
    expect(stock.data?._entities).toEqual([{ available: 7, inStock: true }]);
  });

  it('refuses createProduct to a customer (FORBIDDEN) and to nobody (UNAUTHENTICATED)', async () => {
    const asCustomer = await createProduct({ sku: 'NOPE-1', name: 'Nope', price: 1 }, customer);
    expect(asCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await h.request('products', CREATE, { input: { sku: 'NOPE-2', name: 'Nope', price: 1 } });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(
      await h.services.products.runtime.dataSource.query(`SELECT 1 FROM products WHERE sku LIKE 'NOPE-%'`),
    ).toEqual([]);
  });

  it.each([
    ['a negative price', { sku: 'BAD-1', name: 'Bad', price: -1 }],
    ['negative initial stock', { sku: 'BAD-2', name: 'Bad', price: 1, initialStock: -5 }],
    ['an overlong name', { sku: 'BAD-3', name: 'x'.repeat(201), price: 1 }],
    ['an empty sku', { sku: '', name: 'Bad', price: 1 }],
    ['a sku with spaces', { sku: 'BAD 4', name: 'Bad', price: 1 }],
    ['a lower-case currency', { sku: 'BAD-5', name: 'Bad', price: 1, currency: 'usd' }],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_case, input) => {
    const before = await productCount();
    const res = await createProduct(input);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await productCount()).toBe(before);
  });

  it('refuses a wrongly typed price as a validation error', async () => {
    const res = await createProduct({ sku: 'BAD-6', name: 'Bad', price: '12.5' });
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers a duplicate sku with CONFLICT and keeps one product', async () => {
    await createProduct({ sku: 'DUP-1', name: 'First', price: 100 });
    const second = await createProduct({ sku: 'DUP-1', name: 'Second', price: 200 });
    expect(second.errors?.[0].extensions?.code).toBe('CONFLICT');
    const rows = await h.services.products.runtime.dataSource.query(`SELECT name FROM products WHERE sku = 'DUP-1'`);
    expect(rows).toEqual([{ name: 'First' }]);
  });

  it('pages the catalog by name with cursors, a search and a total count', async () => {
    for (const name of ['Pen Alpha', 'Pen Bravo', 'Pen Charlie', 'Pen Delta', 'Pen Echo']) {
      await createProduct({ sku: `PEN-${name.split(' ')[1]}`, name, price: 150 });
    }
    const first = await h.request<{
      products: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { name: string } }[];
      };
    }>('products', PAGE, { first: 2, search: 'pen ' });
    expect(first.data?.products.totalCount).toBe(5);
    expect(first.data?.products.edges.map((e) => e.node.name)).toEqual(['Pen Alpha', 'Pen Bravo']);
    expect(first.data?.products.pageInfo.hasNextPage).toBe(true);

    const rest = await h.request<typeof first.data>('products', PAGE, {
      first: 10,
      search: 'pen ',
      after: first.data?.products.pageInfo.endCursor,
    });
    expect(rest.data?.products.edges.map((e) => e.node.name)).toEqual(['Pen Charlie', 'Pen Delta', 'Pen Echo']);
    expect(rest.data?.products.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
  });

  it('treats LIKE wildcards in a search literally', async () => {
    const res = await h.request<{ products: { totalCount: number } }>('products', PAGE, { search: '%' });
    expect(res.data?.products.totalCount).toBe(0);
  });

  it('refuses a forged cursor, a NUL byte and an oversized page with BAD_USER_INPUT', async () => {
    const forged = await h.request('products', PAGE, { after: 'not-a-cursor' });
    expect(forged.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const wellFormedButWrong = Buffer.from(JSON.stringify(['x', 'not-a-uuid'])).toString('base64url');
    const wrong = await h.request('products', PAGE, { after: wellFormedButWrong });
    expect(wrong.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const nul = await h.request('products', PAGE, { search: 'mug\u0000' });
    expect(nul.errors?.[0]).toMatchObject({ message: 'Invalid input', extensions: { code: 'BAD_USER_INPUT' } });
    const huge = await h.request('products', PAGE, { first: 101 });
    expect(huge.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('resolves a batch of product references with one SQL query and null for unknown ids', async () => {
    const page = await h.request<{ products: { edges: { node: { sku: string } }[] } }>('products', PAGE, { first: 5 });
    const ids = (await h.services.products.runtime.dataSource.query('SELECT id FROM products LIMIT 5')).map(
      (r: { id: string }) => r.id,
    );
    expect(page.data?.products.edges).toHaveLength(5);

    const before = await dbQueries();
    const res = await h.request<{ _entities: ({ sku: string } | null)[] }>(
      'products',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { sku } } }`,
      { r: [...ids, randomUUID(), 'not-a-uuid'].map((id) => ({ __typename: 'Product', id })) },
    );
    expect(await dbQueries()).toBe(before + 1);
    expect(res.data?._entities.slice(0, 5).every((p) => p && p.sku)).toBe(true);
    expect(res.data?._entities.slice(5)).toEqual([null, null]);
  });

  it('returns null for an unknown or malformed product id', async () => {
    const res = await h.request('products', `{ a: product(id: "${randomUUID()}") { id } b: product(id: "42") { id } }`);
    expect(res.data).toEqual({ a: null, b: null });
  });

  it('rolls a product back when inventory cannot take its stock', async () => {
    await h.services.inventory.stop();
    try {
      const res = await createProduct({ sku: 'ORPHAN-1', name: 'Orphan', price: 100, initialStock: 3 });
      expect(res.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(
        await h.services.products.runtime.dataSource.query(`SELECT 1 FROM products WHERE sku = 'ORPHAN-1'`),
      ).toEqual([]);
    } finally {
      h.services.inventory = await startSubgraph(inventorySubgraph, h.env);
    }
  });
});

describe('products subgraph refuses callers without a valid service token', () => {
  const entities = `{ _entities(representations: [{ __typename: "Product", id: "${randomUUID()}" }]) { ... on Product { id } } }`;

  it.each([
    ['no token', ''],
    ['a garbage token', 'Bearer abc.def.ghi'],
  ])('refuses %s with UNAUTHENTICATED, _service and _entities included', async (_case, authorization) => {
    for (const query of ['{ products { totalCount } }', '{ _service { sdl } }', entities]) {
      const res = await h.request('products', query, {}, { authorization });
      expect(res.status).toBe(401);
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.data).toBeUndefined();
    }
  });

  it('refuses a token signed with a key the gateway does not publish', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ scope: '*', user: admin })
      .setProtectedHeader({ alg: 'ES256', typ: 'service+jwt' })
      .setIssuer('gateway')
      .setSubject('gateway')
      .setAudience('products')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const res = await h.request('products', entities, {}, { authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a gateway token meant for another subgraph', async () => {
    const token = await h.gatewaySigner.sign({ audience: 'inventory', scopes: ['*'] });
    const res = await h.request('products', '{ products { totalCount } }', {}, { authorization: `Bearer ${token}` });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a caller named like an Object property with FORBIDDEN, not an outage', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const sneaky = await new SignJWT({ scope: '*' })
      .setProtectedHeader({ alg: 'ES256', typ: 'service+jwt' })
      .setIssuer('constructor')
      .setSubject('constructor')
      .setAudience('products')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const res = await h.request('products', '{ products { totalCount } }', {}, { authorization: `Bearer ${sneaky}` });
    expect(res.status).toBe(403);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a caller that is not on the allow-list with FORBIDDEN', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const stranger = await new SignJWT({ scope: 'products:read' })
      .setProtectedHeader({ alg: 'ES256', typ: 'service+jwt' })
      .setIssuer('billing')
      .setSubject('billing')
      .setAudience('products')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const res = await h.request('products', '{ products { totalCount } }', {}, { authorization: `Bearer ${stranger}` });
    expect(res.status).toBe(403);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
