import { READINESS_CHECK_TIMEOUT_MS } from '../../platform/http/serviceEndpoints';
import { inventorySubgraph } from '../../subgraphs/inventory/definition';
import { startSubgraphs, type SubgraphHarness } from '../support/subgraphHarness';
import { eventually } from '../support/eventually';
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

async function probe(path: string): Promise<{ status: number; body: any }> {
  // A deadline well past the checks' own: a probe that hangs fails here instead of waiting for ever.
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(4 * READINESS_CHECK_TIMEOUT_MS) });
  return { status: response.status, body: await response.json() };
}

/** Probes /ready until its answer passes the check, and returns that answer; fails at the deadline. */
async function readyUntil(check: (ready: { status: number; body: any }) => boolean, timeoutMs = 8_000) {
  let last: { status: number; body: any } | undefined;
  await eventually(
    async () => {
      last = await probe('/ready');
      return check(last);
    },
    timeoutMs,
    200,
  );
  return last!;
}

describe('readiness', () => {
  it('is ready with each check named when Postgres and NATS are reachable', async () => {
    const ready = await readyUntil((r) => r.status === 200);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    for (const check of ['database', 'migrations', 'nats']) expect(ready.body.checks[check].status).toBe('ok');
  });

  it('turns not ready while Postgres refuses connections, and ready again when it returns; /health stays up', async () => {
    proxy.cutOff();
    const down = await readyUntil((r) => r.status === 503);
    expect(down.body.status).toBe('not ready');
    expect(down.body.checks.database.status).toBe('failing');
    expect(down.body.checks.nats.status).toBe('ok');
    expect((await probe('/health')).status).toBe(200);
    // Metrics still answer without the database.
    expect((await fetch(`${base}/metrics`)).status).toBe(200);

    proxy.restore();
    const up = await readyUntil((r) => r.status === 200);
    expect(up.body.checks.database.status).toBe('ok');
  });

  it('answers not ready, its database check timed out, while Postgres accepts connections and never answers', async () => {
    proxy.stall();
    try {
      // Every check gives up at its own timeout (status timeout, not an error from Postgres): the probe
      // answers instead of hanging with the database.
      const down = await readyUntil((r) => r.status === 503);
      expect(down.body.status).toBe('not ready');
      expect(down.body.checks.database.status).toBe('timeout');
      expect(down.body.checks.nats.status).toBe('ok');
      expect((await probe('/health')).status).toBe(200);
    } finally {
      proxy.restore();
    }
    const up = await readyUntil((r) => r.status === 200, 15_000);
    expect(up.body.checks.database.status).toBe('ok');
  });

  it('stays ready while NATS is away, showing it in its JSON and in nats_connected, and reports it back', async () => {
    await nats.stop();
    const down = await readyUntil((r) => r.body.checks.nats.status === 'failing');
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('ready');
    expect(down.body.checks.nats).toMatchObject({ status: 'failing', gates: false });
    expect(down.body.checks.database).toMatchObject({ status: 'ok', gates: true });
    expect((await probe('/health')).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^nats_connected\{[^}]*\} 0$/m);

    await nats.start();
    const up = await readyUntil((r) => r.body.checks.nats.status === 'ok', 10_000);
    expect(up.status).toBe(200);
    expect(up.body.checks.nats.status).toBe('ok');
  });
});
