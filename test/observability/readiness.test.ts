import { READINESS_CHECK_TIMEOUT_MS } from '../../platform/http/serviceEndpoints';
import { inventorySubgraph } from '../../subgraphs/inventory/definition';
import { startSubgraphs, type SubgraphHarness } from '../support/subgraphHarness';
import { TcpProxy } from '../support/tcpProxy';
import { TEST_DATABASE_URL } from '../support/testEnv';
import { TestNatsServer } from '../support/testNatsServer';

let proxy: TcpProxy;
let nats: TestNatsServer;
let h: SubgraphHarness;
let base: string;

beforeAll(async () => {
  const target = new URL(TEST_DATABASE_URL);
  proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
  const proxied = new URL(TEST_DATABASE_URL);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  nats = await TestNatsServer.start();
  h = await startSubgraphs([inventorySubgraph], { DATABASE_URL: proxied.toString(), NATS_URL: nats.url });
  base = new URL(h.services.inventory.url).origin;
});

afterAll(async () => {
  proxy?.restore();
  await nats?.start().catch(() => undefined);
  await h?.stop();
  await proxy?.close();
  await nats?.remove();
});

async function probe(path: string): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: await response.json(), ms: Date.now() - started };
}

async function eventually(path: string, status: number, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe(path);
    if (result.status === status || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function eventuallyBody(check: (body: any) => boolean, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe('/ready');
    if (check(result.body) || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('readiness', () => {
  it('is ready with each check named when Postgres and NATS are reachable', async () => {
    const ready = await eventually('/ready', 200);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    for (const check of ['database', 'migrations', 'nats']) expect(ready.body.checks[check].status).toBe('ok');
  });

  it('turns not ready, within its check timeout, while Postgres is unreachable, and ready again when it returns; /health stays up', async () => {
    proxy.cutOff();
    const down = await eventually('/ready', 503);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not ready');
    expect(down.body.checks.database.status).not.toBe('ok');
    expect(down.body.checks.nats.status).toBe('ok');
    // Each check gives up at its timeout: the probe never hangs on a dead database.
    expect(down.ms).toBeLessThan(2 * READINESS_CHECK_TIMEOUT_MS);
    expect((await probe('/health')).status).toBe(200);
    // Metrics still answer without the database.
    expect((await fetch(`${base}/metrics`)).status).toBe(200);

    proxy.restore();
    const up = await eventually('/ready', 200);
    expect(up.status).toBe(200);
    expect(up.body.checks.database.status).toBe('ok');
  });

  it('stays ready while NATS is away, showing it in its JSON and in nats_connected, and reports it back', async () => {
    await nats.stop();
    const down = await eventuallyBody((body) => body.checks.nats.status === 'failing');
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('ready');
    expect(down.body.checks.nats).toMatchObject({ status: 'failing', gates: false });
    expect(down.body.checks.database).toMatchObject({ status: 'ok', gates: true });
    expect((await probe('/health')).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^nats_connected\{[^}]*\} 0$/m);

    await nats.start();
    const up = await eventuallyBody((body) => body.checks.nats.status === 'ok', 10_000);
    expect(up.status).toBe(200);
    expect(up.body.checks.nats.status).toBe('ok');
  });
});
