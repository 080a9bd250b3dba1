import { mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { SUBGRAPH_NAMES } from '../platform/config';
import { dropSubgraphs } from '../platform/db/subgraphRoles';
import { TEST_DATABASE_URL, testNamespace } from '../test/support/testEnv';
import { startEmbeddedPostgres } from './embeddedPostgres';
import { freePort } from './freePort';
import { subgraphDatabaseUrls } from './subgraphDatabases';

async function connectAs(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT current_user AS role')).rows[0].role as string;
  } finally {
    await client.end();
  }
}

describe("npm start's databases", () => {
  it('gives each subgraph its own role on the embedded Postgres, which checks the passwords, again at the next start', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dev-roles-'));
    const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), startTimeoutMs: 60_000 });
    try {
      for (let start = 1; start <= 2; start++) {
        const lines: string[] = [];
        const urls = await subgraphDatabaseUrls(postgres.url, 'supergraph', (line) => lines.push(line));
        expect(lines).toEqual([expect.stringContaining('its own role (supergraph_users, ...)')]);
        for (const name of SUBGRAPH_NAMES) expect(await connectAs(urls[name])).toBe(`supergraph_${name}`);
        // Passwords are checked here (scram-sha-256), not only privileges.
        const wrong = new URL(urls.users);
        wrong.password = 'not-the-password-at-all';
        await expect(connectAs(wrong.toString())).rejects.toMatchObject({ code: '28P01' });
      }
    } finally {
      await postgres.stop();
      await fs.rm(path.dirname(postgres.passwordFile), { recursive: true, force: true });
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('hands every subgraph a DATABASE_URL that may not create roles as it is, and says so', async () => {
    const { prefix } = testNamespace();
    const limited = `${prefix}_limited`;
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${limited} LOGIN`);
      const url = new URL(TEST_DATABASE_URL);
      url.username = limited;
      const lines: string[] = [];
      const urls = await subgraphDatabaseUrls(url.toString(), prefix, (line) => lines.push(line));
      expect(Object.values(urls)).toEqual(SUBGRAPH_NAMES.map(() => url.toString()));
      expect(lines).toEqual([
        expect.stringMatching(/may not create roles and databases: every subgraph connects as it/),
      ]);
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${limited}`);
      await admin.end();
      await dropSubgraphs(TEST_DATABASE_URL, prefix, SUBGRAPH_NAMES);
    }
  });
});
