import { Client } from 'pg';
import { roleUrl } from '../platform/db/provisioning';
import { dropSubgraphs, subgraphRole } from '../platform/db/subgraphRoles';
import { TEST_DATABASE_URL, testNamespace } from '../test/support/testEnv';
import { provisionDatabases } from './provisionDatabases';

const { prefix } = testNamespace();
const users = subgraphRole(prefix, 'users');
const orders = subgraphRole(prefix, 'orders');
const env = {
  DATABASE_URL: TEST_DATABASE_URL,
  DB_PREFIX: prefix,
  LOG_LEVEL: 'silent',
  USERS_DATABASE_URL: roleUrl(TEST_DATABASE_URL, users),
  ORDERS_DATABASE_URL: roleUrl(TEST_DATABASE_URL, orders),
};

afterAll(() => dropSubgraphs(TEST_DATABASE_URL, prefix, ['users', 'orders']));

describe('the provisioning command', () => {
  it("creates each subgraph's role and database and migrates it as that role, also when two run at once", async () => {
    await Promise.all([provisionDatabases(['users', 'orders'], env), provisionDatabases(['users', 'orders'], env)]);
    for (const target of [users, orders]) {
      const client = new Client({ connectionString: env[`${target === users ? 'USERS' : 'ORDERS'}_DATABASE_URL`] });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT current_user AS role, (SELECT count(*)::int FROM migrations) AS migrations,
                  (SELECT array_agg(DISTINCT tableowner::text) FROM pg_tables WHERE schemaname = 'public') AS owners`,
        );
        expect(rows[0]).toEqual({ role: target.role, migrations: expect.any(Number), owners: [target.role] });
        expect(rows[0].migrations).toBeGreaterThan(0);
      } finally {
        await client.end();
      }
    }
  });

  it("stops with one line naming the variable when a subgraph's own URL is missing", async () => {
    await expect(provisionDatabases(['payments'], env)).rejects.toThrow(
      /^invalid setting PAYMENTS_DATABASE_URL: required/,
    );
  });
});
