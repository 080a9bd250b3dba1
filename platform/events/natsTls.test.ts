import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import pino from 'pino';
import { TestNatsServer } from '../../test/support/testNatsServer';
import { testNamespace } from '../../test/support/testEnv';
import { EventBus } from './EventBus';
import { natsConnectionOptions } from './natsConnection';

const log = pino({ level: 'silent' });
const { prefix } = testNamespace();
const dir = mkdtempSync(path.join(os.tmpdir(), 'nats-tls-'));
const file = (name: string) => path.join(dir, name);

/** A CA of the test's own, and a certificate it signs for `cn` (127.0.0.1 as the server's address). */
function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}
function issue(name: string, cn: string): void {
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    file(`${name}.key`),
    '-subj',
    `/CN=${cn}`,
    '-out',
    file(`${name}.csr`),
  );
  writeFileSync(
    file(`${name}.ext`),
    `subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file(`${name}.csr`),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file(`${name}.ext`),
    '-out',
    file(`${name}.crt`),
  );
}

let server: TestNatsServer;
let mutual: TestNatsServer;

beforeAll(async () => {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-subj',
    '/CN=test CA',
    '-days',
    '1',
    '-out',
    file('ca.crt'),
  );
  issue('server', 'nats');
  issue('client', 'orders');
  server = await TestNatsServer.start({
    authenticated: { prefix },
    tls: { certFile: file('server.crt'), keyFile: file('server.key') },
  });
  mutual = await TestNatsServer.start({
    tls: { certFile: file('server.crt'), keyFile: file('server.key'), caFile: file('ca.crt') },
  });
});

afterAll(async () => {
  await server?.remove();
  await mutual?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('NATS over TLS', () => {
  it('connects a service by a tls:// URL with NATS_TLS_CA_FILE and its user, and publishes', async () => {
    const env = server.env('orders');
    expect(env.NATS_URL).toMatch(/^tls:\/\//);
    const bus = new EventBus({
      url: env.NATS_URL,
      prefix,
      name: 'orders',
      log,
      auth: { user: env.NATS_USER, password: env.NATS_PASSWORD },
      tls: { caFile: file('ca.crt') },
    });
    try {
      await bus.ready();
      await bus.ensureStream('orders');
      const ack = await (await bus.jetstream()).publish(`${prefix}.orders.placed`, '{}');
      expect(ack.seq).toBe(1);
    } finally {
      await bus.close();
    }
  });

  it('refuses a server whose certificate no trusted CA signed', async () => {
    const env = server.env('orders');
    const options = natsConnectionOptions({
      url: env.NATS_URL,
      name: 'orders',
      auth: { user: 'orders', password: env.NATS_PASSWORD },
    });
    await expect(connect({ ...options, reconnect: false })).rejects.toThrow(/self.signed|certificate/i);
  });

  it('refuses to talk in the clear to a server without TLS when the URL says tls://', async () => {
    const plain = await TestNatsServer.start();
    try {
      const options = natsConnectionOptions({ url: plain.url.replace('nats://', 'tls://'), name: 'orders' });
      await expect(connect({ ...options, reconnect: false })).rejects.toThrow(/tls/i);
    } finally {
      await plain.remove();
    }
  });

  it('presents NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE to a server that verifies clients', async () => {
    const withCert = natsConnectionOptions({
      url: mutual.url,
      name: 'orders',
      tls: { caFile: file('ca.crt'), certFile: file('client.crt'), keyFile: file('client.key') },
    });
    const nc = await connect({ ...withCert, reconnect: false });
    await nc.close();
    const without = natsConnectionOptions({ url: mutual.url, name: 'orders', tls: { caFile: file('ca.crt') } });
    await expect(connect({ ...without, reconnect: false })).rejects.toThrow();
  });
});
