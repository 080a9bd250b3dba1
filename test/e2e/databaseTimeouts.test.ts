import { Client } from 'pg';
import { databaseUrl } from '../../platform/db/database';
import { startSupergraph, type Supergraph } from '../support/supergraph';
import { TEST_DATABASE_URL } from '../support/testEnv';

/**
 * The database's own limits, through the gateway: a statement stuck behind a lock is cancelled by
 * Postgres after DB_STATEMENT_TIMEOUT_MS and answered SERVICE_UNAVAILABLE, the pool is not left hung,
 * and every subgraph connects as its own role.
 */
const STATEMENT_TIMEOUT_MS = 800;
const POOL_SIZE = 3;

let sg: Supergraph;

beforeAll(async () => {
  sg = await startSupergraph({
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    DB_POOL_SIZE: String(POOL_SIZE),
    // The gateway waits longer than the database does: the answer is the database's.
    SUBGRAPH_TIMEOUT_MS: '10000',
  });
}, 200_000);
afterAll(() => sg?.stop());

/** `first` sets requests apart: the gateway would send identical ones in flight to the subgraph once. */
const catalog = (first = 5) =>
  sg.post(
    sg.gatewayUrl,
    JSON.stringify({ query: `{ products(first: ${first}) { totalCount edges { node { id name } } } }` }),
  );

function expectTimedOut({ status, body }: { status: number; body: any }): void {
  expect(status).toBe(200);
  expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'database_timeout' });
  expect(JSON.stringify(body)).not.toMatch(/statement timeout|canceling|SELECT|pg_/i);
}

/** An admin session of the products database, to hold a lock in. */
async function productsAdmin(): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl(TEST_DATABASE_URL, `${sg.env.DB_PREFIX}_products`) });
  await client.connect();
  return client;
}

describe('database timeouts through the gateway', () => {
  it('answers SERVICE_UNAVAILABLE within about the statement timeout while the table is locked, and serves again once it is released', async () => {
    expect((await catalog()).body.errors).toBeUndefined();
    const locker = await productsAdmin();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE products IN ACCESS EXCLUSIVE MODE');
      let started = Date.now();
      expectTimedOut(await catalog());
      expect(Date.now() - started).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
      expect(Date.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + 1_500);
      // More statements than the pool has connections (a page and its count each): each is cancelled
      // in turn and its connection serves the next, none waits forever.
      started = Date.now();
      const answers = await Promise.all(Array.from({ length: POOL_SIZE * 2 }, (_, i) => catalog(i + 1)));
      for (const answer of answers) expectTimedOut(answer);
      // Four rounds of the pool at most, each cut at the statement timeout, plus the gateway's hop.
      expect(Date.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS * 4 + 2_500);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const after = await catalog();
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data.products.totalCount).toEqual(expect.any(Number));
  });

  it("connects every subgraph as its own role, which may not connect to another subgraph's database", async () => {
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string; usename: string }>(
        'SELECT DISTINCT datname, usename FROM pg_stat_activity WHERE starts_with(datname, $1) AND pid <> pg_backend_pid()',
        [`${sg.env.DB_PREFIX}_`],
      );
      expect(rows.length).toBeGreaterThanOrEqual(5);
      for (const { datname, usename } of rows) expect(usename).toBe(datname);
    } finally {
      await admin.end();
    }
    const usersOnProducts = new URL(TEST_DATABASE_URL);
    usersOnProducts.username = `${sg.env.DB_PREFIX}_users`;
    usersOnProducts.pathname = `/${sg.env.DB_PREFIX}_products`;
    const intruder = new Client({ connectionString: usersOnProducts.toString() });
    await expect(intruder.connect()).rejects.toMatchObject({ code: '42501' });
  });
});
