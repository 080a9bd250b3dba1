import { existsSync, mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from './freePort';
import { startEmbeddedPostgres } from './embeddedPostgres';
import { isTraversable, postgresOwner } from './postgresOwner';
import { reachableBinaryRoot } from './postgresReach';

const asRoot = process.getuid?.() === 0;
let privateHome: string;
const cleanUp: string[] = [];

beforeAll(() => {
  // A folder only its owner may enter, like root's home (mode 700) holding a checkout.
  privateHome = mkdtempSync(path.join(os.tmpdir(), 'private-home-'));
  cleanUp.push(privateHome);
});
afterAll(async () => {
  for (const dir of cleanUp) await fs.rm(dir, { recursive: true, force: true });
});

describe('the embedded Postgres of npm start', () => {
  it('starts from a DATA_DIR in a folder the postgres user cannot enter, and finds its cluster again at the next start', async () => {
    await fs.chmod(privateHome, 0o700);
    const dataDir = path.join(privateHome, 'checkout', '.data');
    const start = () => startEmbeddedPostgres({ dataDir, port, startTimeoutMs: 60_000 });
    const port = await freePort();
    const first = await start();
    try {
      const client = new Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (id int)');
      await client.end();
    } finally {
      await first.stop();
    }
    const owner = postgresOwner();
    const clusterHome = path.dirname(first.passwordFile);
    cleanUp.push(clusterHome);
    if (owner) {
      // As root: moved where the postgres user can reach it, the same place for the same DATA_DIR.
      expect(clusterHome).not.toBe(dataDir);
      expect(isTraversable(clusterHome, owner)).toBe(true);
    } else {
      expect(clusterHome).toBe(dataDir);
    }
    const second = await start();
    try {
      expect(second.passwordFile).toBe(first.passwordFile);
      const client = new Client({ connectionString: second.url });
      await client.connect();
      expect((await client.query("SELECT to_regclass('kept') IS NOT NULL AS kept")).rows).toEqual([{ kept: true }]);
      await client.end();
    } finally {
      await second.stop();
    }
  }, 120_000);

  (asRoot ? it : it.skip)('copies binaries out of a folder the postgres user cannot enter, once, whole', async () => {
    const owner = postgresOwner()!;
    const root = path.join(privateHome, 'native');
    await fs.mkdir(path.join(root, 'bin'), { recursive: true });
    await fs.writeFile(path.join(root, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
    await fs.chmod(privateHome, 0o700);
    expect(isTraversable(root, owner)).toBe(false);
    const copy = (await reachableBinaryRoot(root, owner))!;
    cleanUp.push(copy);
    expect(isTraversable(path.join(copy, 'bin'), owner)).toBe(true);
    expect((await fs.stat(path.join(copy, 'bin', 'postgres'))).mode & 0o777).toBe(0o755);
    expect(existsSync(path.join(copy, '.complete'))).toBe(true);
    // Taken as it is the next time.
    await fs.writeFile(path.join(copy, 'bin', 'marker'), 'x');
    expect(await reachableBinaryRoot(root, owner)).toBe(copy);
    expect(existsSync(path.join(copy, 'bin', 'marker'))).toBe(true);
  });
});
