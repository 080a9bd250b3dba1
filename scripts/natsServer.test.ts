import { mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { natsInboxPrefix } from '../platform/events/natsPermissions';
import { freePort } from './freePort';
import { ensureNatsServer } from './natsServer';

const prefix = 'devtest';
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'nats-dev-'));
});
afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe("npm start's own nats-server", () => {
  it('runs a user per service with its permissions, and keeps the generated passwords across restarts', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const first = await ensureNatsServer(url, dataDir, prefix);
    let secondPassword: string | undefined;
    try {
      expect(first.server).toBeDefined();
      const orders = first.credentials('orders');
      expect(orders.NATS_USER).toBe('orders');
      expect((await fs.stat(first.passwordFile!)).mode & 0o777).toBe(0o600);

      await expect(connect({ servers: url })).rejects.toThrow(/Authorization Violation/);
      const products = first.credentials('products');
      const nc = await connect({ servers: url, user: products.NATS_USER, pass: products.NATS_PASSWORD });
      await expect(nc.jetstream().publish(`${prefix}.payments.succeeded`, '{}')).rejects.toThrow(
        /Permissions Violation/,
      );
      await nc.close();
      const payments = first.credentials('payments');
      const pc = await connect({
        servers: url,
        user: payments.NATS_USER,
        pass: payments.NATS_PASSWORD,
        inboxPrefix: natsInboxPrefix(prefix, 'payments'),
      });
      await (
        await pc.jetstreamManager()
      ).streams.add({ name: `${prefix}_payments`, subjects: [`${prefix}.payments.>`] });
      await pc.close();
    } finally {
      await first.server?.stop();
    }
    const second = await ensureNatsServer(url, dataDir, prefix);
    try {
      secondPassword = second.credentials('orders').NATS_PASSWORD;
    } finally {
      await second.server?.stop();
    }
    expect(secondPassword).toBe(first.credentials('orders').NATS_PASSWORD);
  });

  it('uses a NATS that already answers as it is, giving the services no credentials of its own', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const ours = await ensureNatsServer(url, dataDir, prefix);
    try {
      const theirs = await ensureNatsServer(url, dataDir, prefix);
      expect(theirs.server).toBeUndefined();
      expect(theirs.credentials('orders')).toEqual({});
    } finally {
      await ours.server?.stop();
    }
  });
});
