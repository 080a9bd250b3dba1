import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadSigningKey } from '../../platform/auth/signingKey';
import { loadSubgraphConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';
import { databaseUrl } from '../../platform/db/database';
import { dropSubgraphs } from '../../platform/db/subgraphRoles';
import { deleteEventNamespace } from '../../platform/events/domainStreams';
import type { ChaosSettings } from './chaosSettings';
import { freePort } from '../freePort';
import { NatsCluster, type OutputSink } from './NatsCluster';
import { ServiceProcess } from './ServiceProcess';
import { harnessSettings } from '../harnessSettings';
import { subgraphDatabaseUrls } from '../subgraphDatabases';

const DIST = path.resolve(__dirname, '../..');
const ROOT = path.resolve(DIST, '..');
const INSTANCES = 2;
/**
 * Per instance: ten instances (plus each publisher's relay and listener
 * connections) share a Postgres server whose max_connections (100 here) other
 * test runs use too. The load is modest; three connections serve it.
 */
const DB_POOL_SIZE = '3';

/** The run's processes, databases, event namespace and NATS cluster. */
export interface ChaosTopology {
  /** DB_PREFIX and EVENTS_PREFIX of the run. */
  prefix: string;
  serverUrl: string;
  gatewayUrl: string;
  nats: NatsCluster;
  /** Every subgraph instance (`orders-1`, `orders-2`, ...) and the gateway. */
  processes: ServiceProcess[];
  process(name: string): ServiceProcess;
  databaseName(service: SubgraphName): string;
  databaseUrl(service: SubgraphName): string;
  /** While this file exists, the payments services' provider fails every call. */
  providerOutageFile: string;
  admin: { email: string; password: string };
  /** Every line the services and NATS printed, kept after the run. */
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Two instances of each subgraph over the same database, the gateway
 * balancing over both (`PRODUCTS_URL=a,b`; the services themselves call the
 * first), every service given all three NATS nodes, streams at three
 * replicas; all in production mode, on free ports, in the run's own
 * namespace. Like the bench, each service reads its own key file.
 */
export async function startChaosTopology(settings: ChaosSettings, log: (line: string) => void): Promise<ChaosTopology> {
  const prefix = `chaos_${randomBytes(4).toString('hex')}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  const logFile = path.join(os.tmpdir(), `${prefix}.log`);
  const logStream = createWriteStream(logFile);
  const output: OutputSink = (source, line) => logStream.write(`[${source}] ${line}\n`);
  const serverUrl = harnessSettings.read(process.env).databaseUrl;
  const admin = { email: 'admin@example.com', password: `chaos-${randomBytes(8).toString('hex')}` };
  const processes: ServiceProcess[] = [];
  let nats: NatsCluster | undefined;

  const stop = async () => {
    const failures: string[] = [];
    const attempt = async (what: string, work: () => Promise<unknown>) => {
      await work().catch((error: Error) => failures.push(`${what}: ${error.message}`));
    };
    const gateway = processes.find((p) => p.name === 'gateway');
    if (gateway) await attempt('stop gateway', () => gateway.stop());
    await Promise.all(processes.map((p) => attempt(`stop ${p.name}`, () => p.stop())));
    await attempt('drop databases and roles', () => dropSubgraphs(serverUrl, prefix, SUBGRAPH_NAMES));
    if (nats) {
      const cluster = nats;
      await attempt('delete streams', () => deleteEventNamespace(cluster.url, prefix));
      await attempt('stop NATS', () => cluster.stopAll());
    }
    await attempt('remove data', () => rm(dataDir, { recursive: true, force: true }));
    await new Promise((resolve) => logStream.end(resolve));
    if (failures.length > 0) log(`clean-up incomplete: ${failures.join('; ')}`);
  };

  try {
    log(`namespace ${prefix}; service logs in ${logFile}`);
    nats = await NatsCluster.start(dataDir, prefix, output);
    const ports = new Map<string, number>();
    for (const name of [...SUBGRAPH_NAMES.flatMap((n) => instanceNames(n)), 'gateway'])
      ports.set(name, await freePort());
    const urls = (service: SubgraphName) =>
      instanceNames(service)
        .map((name) => `http://127.0.0.1:${ports.get(name)}`)
        .join(',');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      // Production mode names its payment provider; the chaos run's outages are the simulated one's.
      PAYMENT_PROVIDER: 'simulated',
      LOG_LEVEL: 'warn',
      DATABASE_URL: serverUrl,
      NATS_URL: nats.url,
      DB_PREFIX: prefix,
      EVENTS_PREFIX: prefix,
      DATA_DIR: dataDir,
      EVENTS_STREAM_REPLICAS: '3',
      ORDER_DEADLINE: settings.orderDeadline,
      DB_POOL_SIZE,
      PAYMENT_PROVIDER_OUTAGE_FILE: path.join(dataDir, 'payment-provider-outage'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      // Absolute: the services may be started from anywhere (npm, jest).
      SUPERGRAPH_PATH: path.join(ROOT, 'schema/supergraph.graphql'),
      PERSISTED_OPERATIONS_PATH: path.join(ROOT, 'client/generated/persisted-operations.json'),
      // Every customer signs up from the load generator's one address.
      AUTH_RATE_LIMIT_POINTS: '1000000',
      GATEWAY_PORT: String(ports.get('gateway')),
      GATEWAY_URL: `http://127.0.0.1:${ports.get('gateway')}`,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, urls(name)])),
    };
    // As the bench does: development mode writes a new key per service under DATA_DIR, production reads it.
    const keyConfig = loadSubgraphConfig('users', { ...env, NODE_ENV: 'development' });
    for (const name of ['gateway', ...SUBGRAPH_NAMES]) await loadSigningKey(name, keyConfig);
    const keyFile = (name: string) => path.join(dataDir, 'keys', `${name}.pem`);

    // Each subgraph as its own role, as in production; the run's own reads and faults use the admin's URL.
    const databaseUrls = await subgraphDatabaseUrls(serverUrl, prefix, log);
    for (const service of SUBGRAPH_NAMES) {
      instanceNames(service).forEach((name) => {
        const port = ports.get(name)!;
        const script = path.join(DIST, 'subgraphs', service, 'main.js');
        const ownEnv = {
          ...env,
          DATABASE_URL: databaseUrls[service],
          [`${service.toUpperCase()}_PORT`]: String(port),
          SIGNING_KEY_FILE: keyFile(service),
        };
        processes.push(new ServiceProcess(name, port, script, ownEnv, output));
      });
    }
    const gateway = new ServiceProcess(
      'gateway',
      ports.get('gateway')!,
      path.join(DIST, 'gateway/main.js'),
      { ...env, SIGNING_KEY_FILE: keyFile('gateway') },
      output,
    );
    // First instances first: they create and migrate the databases; the second ones then find them ready.
    for (let i = 1; i <= INSTANCES; i++) {
      await Promise.all(processes.filter((p) => p.name.endsWith(`-${i}`)).map((p) => p.start()));
    }
    processes.push(gateway);
    await gateway.start();
    log(`${processes.length} processes ready; NATS ${nats.url}`);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    prefix,
    serverUrl,
    gatewayUrl: `http://127.0.0.1:${processes.find((p) => p.name === 'gateway')!.port}/graphql`,
    nats,
    processes,
    process(name) {
      const found = processes.find((p) => p.name === name);
      if (!found) throw new Error(`no process ${name}`);
      return found;
    },
    databaseName: (service) => `${prefix}_${service}`,
    databaseUrl: (service) => databaseUrl(serverUrl, `${prefix}_${service}`),
    providerOutageFile: path.join(dataDir, 'payment-provider-outage'),
    admin,
    logFile,
    stop,
  };
}

function instanceNames(service: SubgraphName): string[] {
  return Array.from({ length: INSTANCES }, (_, i) => `${service}-${i + 1}`);
}
