import { Client } from 'pg';
import { SUBGRAPH_NAMES } from '../platform/config';
import { databaseUrl, dropDatabase } from '../platform/db/database';
import { TEST_DATABASE_URL, testNamespace } from '../test/support/testEnv';
import { migrate } from './migrate';

const { prefix } = testNamespace();
const env = { DATABASE_URL: TEST_DATABASE_URL, DB_PREFIX: prefix, LOG_LEVEL: 'silent' };

afterAll(() => Promise.all(SUBGRAPH_NAMES.map((name) => dropDatabase(TEST_DATABASE_URL, `${prefix}_${name}`))));

async function appliedMigrations(name: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl(TEST_DATABASE_URL, `${prefix}_${name}`) });
  await client.connect();
  try {
    return (await client.query('SELECT name FROM migrations ORDER BY id')).rows.map((r: { name: string }) => r.name);
  } finally {
    await client.end();
  }
}

describe('the migrate command', () => {
  it('creates and migrates every subgraph database, also when two run at once, and changes nothing the second time', async () => {
    await Promise.all([migrate(SUBGRAPH_NAMES, env), migrate(SUBGRAPH_NAMES, env)]);
    const first = await Promise.all(SUBGRAPH_NAMES.map(appliedMigrations));
    for (const applied of first) expect(applied.length).toBeGreaterThan(0);
    expect(first[SUBGRAPH_NAMES.indexOf('orders')]).toContain('CreateEventTables1764400000000');

    await migrate(SUBGRAPH_NAMES, env);
    expect(await Promise.all(SUBGRAPH_NAMES.map(appliedMigrations))).toEqual(first);
  });
});
