import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadSigningKey } from '../../platform/auth/signingKey';
import { loadSubgraphConfig } from '../../platform/config';
import { dropDatabase } from '../../platform/db/database';
import { DEV_ADMIN } from '../../scripts/devSettings';
import { deleteEventNamespace } from '../support/eventProbe';
import { freePort } from '../support/freePort';
import { TEST_DATABASE_URL, TEST_NATS_URL, TEST_STREAM_MAX_BYTES, testNamespace } from '../support/testEnv';

const ROOT = path.resolve(__dirname, '../..');
const { prefix, dataDir } = testNamespace();

/** Production as the chart runs it: every service reads its own key file; only the guarded settings vary. */
const PRODUCTION: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_URL: TEST_DATABASE_URL,
  NATS_URL: TEST_NATS_URL,
  DB_PREFIX: prefix,
  EVENTS_PREFIX: prefix,
  EVENTS_STREAM_MAX_BYTES: TEST_STREAM_MAX_BYTES,
  DATA_DIR: dataDir,
};

const keyFile = (service: string) => path.join(dataDir, 'keys', `${service}.pem`);
const entry = (service: string) => path.join(ROOT, `dist/subgraphs/${service}/main.js`);

/** Starts a subgraph's real entry point and waits for it to exit: its code and what it wrote to stderr. */
function runToExit(service: string, env: Record<string, string>): Promise<{ code?: number; stderr: string }> {
  return promisify(execFile)(process.execPath, [entry(service)], {
    cwd: ROOT,
    env: { ...PRODUCTION, SIGNING_KEY_FILE: keyFile(service), ...env },
    timeout: 30_000,
  }).then(
    ({ stderr }) => ({ code: 0, stderr: stderr.trim() }),
    (error: { code?: number; stderr: string }) => ({ code: error.code, stderr: error.stderr.trim() }),
  );
}

/** Starts it, waits until /ready answers 200, then stops it as an orchestrator would: its exit code. */
async function startAndStop(service: string, env: Record<string, string>): Promise<number | null> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry(service)], {
    cwd: ROOT,
    env: { ...PRODUCTION, SIGNING_KEY_FILE: keyFile(service), [`${service.toUpperCase()}_PORT`]: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}: ${stderr}`);
      const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`${service} not ready within 60 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    child.kill('SIGTERM');
  }
  return exited;
}

beforeAll(async () => {
  // Development mode writes each service a key under DATA_DIR; production then reads it from its file.
  const devConfig = loadSubgraphConfig('payments', { ...PRODUCTION, NODE_ENV: 'development' });
  await Promise.all(['payments', 'users'].map((service) => loadSigningKey(service, devConfig)));
});

afterAll(async () => {
  await Promise.all(['payments', 'users'].map((service) => dropDatabase(TEST_DATABASE_URL, `${prefix}_${service}`)));
  await deleteEventNamespace(prefix, TEST_NATS_URL).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

describe('payments in production', () => {
  it('refuses to start without PAYMENT_PROVIDER, with one line naming it and exit code 1', async () => {
    expect(await runToExit('payments', {})).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^start failed: invalid setting PAYMENT_PROVIDER: required in production [^\n]+$/),
    });
  });

  it('starts on the simulated provider when PAYMENT_PROVIDER=simulated says so, and stops cleanly', async () => {
    expect(await startAndStop('payments', { PAYMENT_PROVIDER: 'simulated' })).toBe(0);
  });
});

describe('users in production', () => {
  it('refuses to start with the development ADMIN password from the README, with one line naming ADMIN_PASSWORD', async () => {
    expect(await runToExit('users', { ADMIN_PASSWORD: DEV_ADMIN.password })).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^start failed: invalid setting ADMIN_PASSWORD: [^\n]+$/),
    });
  });

  it('refuses an ADMIN password a sign-up would refuse, before it opens a connection', async () => {
    const result = await runToExit('users', {
      ADMIN_PASSWORD: 'p'.repeat(129),
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(result).toEqual({
      code: 1,
      stderr: expect.stringMatching(
        /^start failed: invalid setting ADMIN_PASSWORD: password must be 8 to 128 characters$/,
      ),
    });
  });

  it('starts with an ADMIN password of its own', async () => {
    expect(await startAndStop('users', { ADMIN_PASSWORD: 'a-production-secret-42' })).toBe(0);
  });
});
