import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jwks, loadSigningKey } from '../../platform/auth/signingKey';
import { loadSubgraphConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';
import { dropSubgraphs } from '../../platform/db/subgraphRoles';
import { deleteEventNamespace } from '../../platform/events/domainStreams';
import { startManagedProcess, type ManagedProcess } from '../managedProcess';
import { freePort } from '../freePort';
import { harnessSettings } from '../harnessSettings';
import { subgraphDatabaseUrls } from '../subgraphDatabases';
import { waitForReady } from '../waitForReady';

const DIST = path.resolve(__dirname, '../..');
const HARNESS = harnessSettings.read(process.env);
/** To profile the services under load: BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const NODE_ARGS = HARNESS.nodeArgs;
const ROOT = path.resolve(DIST, '..');

export type GatewayKind = 'ours' | 'apollo' | 'hive';

/** The five subgraphs of one benchmark run, in their own databases and event namespace. */
export interface BenchSubgraphs {
  env: NodeJS.ProcessEnv;
  gatewayPort: number;
  baseUrl: Record<SubgraphName, string>;
  pid: Record<SubgraphName, number>;
  dataDir: string;
  /** The supergraph file with its subgraph URLs pointing at this run's subgraphs (for the baselines). */
  supergraphPath: string;
  startGateway(kind: GatewayKind, extraEnv?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/**
 * Starts the subgraphs on free ports, in production mode, each with its own
 * key. The gateway's key is served by a small key server standing in for
 * GATEWAY_URL, so the subgraphs trust whichever gateway runs (ours signs
 * with that key; the baselines mint their tokens with it) on one port.
 * `subgraphEnv` adds to the subgraphs' settings (a scenario's SAGA_MAX_DRAIN_SECONDS).
 */
export async function startBenchSubgraphs(subgraphEnv: NodeJS.ProcessEnv = {}): Promise<BenchSubgraphs> {
  const prefix = `bench_${randomBytes(4).toString('hex')}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  const ports = Object.fromEntries(
    await Promise.all([...SUBGRAPH_NAMES, 'gateway'].map(async (name) => [name, await freePort()] as const)),
  ) as Record<SubgraphName | 'gateway', number>;
  const keyFile = (name: string) => path.join(dataDir, 'keys', `${name}.pem`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    // Production mode names its payment provider; the bench measures the shop on the simulated one.
    PAYMENT_PROVIDER: 'simulated',
    LOG_LEVEL: 'warn',
    DATABASE_URL: HARNESS.databaseUrl,
    NATS_URL: HARNESS.natsUrl,
    // Each stream reserves its max_bytes of the NATS store; a run's events need far less than the 1 GiB default.
    EVENTS_STREAM_MAX_BYTES: String(256 * 1_048_576),
    DB_PREFIX: prefix,
    EVENTS_PREFIX: prefix,
    DATA_DIR: dataDir,
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)])),
  };
  // Development mode writes a new key per service under DATA_DIR; in production each reads its file.
  const keyConfig = loadSubgraphConfig('users', { ...env, NODE_ENV: 'development' });
  const keys = await Promise.all(['gateway', ...SUBGRAPH_NAMES].map((name) => loadSigningKey(name, keyConfig)));
  const gatewayKey = keys[0];
  const keyServer = http.createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res.setHeader('content-type', 'application/json').end(JSON.stringify(jwks(gatewayKey)));
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  env.GATEWAY_URL = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;

  const baseUrl = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}`])) as Record<
    SubgraphName,
    string
  >;
  const supergraphPath = path.join(dataDir, 'supergraph.graphql');
  let sdl = await readFile(path.join(ROOT, 'schema/supergraph.graphql'), 'utf8');
  for (const name of SUBGRAPH_NAMES) {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]+(")`), `$1${baseUrl[name]}/graphql$2`);
  }
  await writeFile(supergraphPath, sdl);

  // Each subgraph as its own role, as in production; env keeps the admin's URL for seeding and reading.
  const databaseUrls = await subgraphDatabaseUrls(env.DATABASE_URL!, prefix, () => undefined);
  const subgraphs = SUBGRAPH_NAMES.map((name) =>
    startManagedProcess({
      name,
      command: process.execPath,
      args: [...NODE_ARGS, path.join(DIST, 'subgraphs', name, 'main.js')],
      env: { ...env, DATABASE_URL: databaseUrls[name], ...subgraphEnv, SIGNING_KEY_FILE: keyFile(name) },
    }),
  );
  const stop = async () => {
    await Promise.all(subgraphs.map((child) => child.stop()));
    await new Promise((resolve) => keyServer.close(resolve));
    await dropSubgraphs(env.DATABASE_URL!, prefix, SUBGRAPH_NAMES);
    await deleteEventNamespace(env.NATS_URL!, prefix);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(subgraphs.map((child, i) => waitForReady(child, ports[SUBGRAPH_NAMES[i]])));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    env,
    gatewayPort: ports.gateway,
    baseUrl,
    pid: Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, subgraphs[i].pid!])) as Record<SubgraphName, number>,
    dataDir,
    supergraphPath,
    async startGateway(kind, extraEnv = {}) {
      const gatewayEnv = { ...env, SIGNING_KEY_FILE: keyFile('gateway'), ...extraEnv };
      const child = startManagedProcess({ name: kind, ...gatewayCommand(kind, gatewayEnv, supergraphPath) });
      await waitForGraphQL(child, ports.gateway);
      return child;
    },
    stop,
  };
}

function gatewayCommand(kind: GatewayKind, env: NodeJS.ProcessEnv, supergraphPath: string) {
  const port = env.GATEWAY_PORT!;
  switch (kind) {
    case 'ours':
      return { command: process.execPath, args: [...NODE_ARGS, path.join(DIST, 'gateway/main.js')], env };
    case 'apollo':
      return {
        command: process.execPath,
        args: [path.join(DIST, 'scripts/bench/apolloBaseline.js')],
        env: { ...env, PORT: port, SUPERGRAPH_PATH: supergraphPath },
      };
    case 'hive':
      return {
        command: process.execPath,
        args: [
          path.join(ROOT, 'node_modules/@graphql-hive/gateway/dist/bin.js'),
          'supergraph',
          supergraphPath,
          '--port',
          port,
          '--host',
          '127.0.0.1',
          '--config-path',
          path.join(DIST, 'scripts/bench/hiveGatewayConfig.js'),
        ],
        env,
      };
  }
}

/** Ready when it answers a trivial operation (the baselines have no /ready). */
async function waitForGraphQL(child: ManagedProcess, port: number, timeoutMs = 60_000): Promise<void> {
  if (child.name === 'ours') return waitForReady(child, port, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${child.name} exited before it was ready: ${child.recentOutput()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(1_000),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${child.name} did not answer within ${timeoutMs / 1000} s`);
}
