import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SUBGRAPH_NAMES } from '../platform/config';
import type { ServiceName } from '../platform/serviceNames';
import { readDevConfig, type DevConfig } from './devSettings';
import { startEmbeddedPostgres } from './embeddedPostgres';
import { startManagedProcess, type ManagedProcess } from './managedProcess';
import { subgraphDatabaseUrls } from './subgraphDatabases';
import { ensureNatsServer } from './natsServer';
import { seed } from './seed';
import { log, Supervisor } from './supervisor';
import { waitForReady } from './waitForReady';

/** dist/, found from this compiled file so that npm start works from any working directory. */
const DIST_DIR = path.resolve(__dirname, '..');

/** Fails before anything starts when a service was not built (or not written yet). */
function entryPoint(name: ServiceName): string {
  const file = path.join(DIST_DIR, ...(name === 'gateway' ? ['gateway'] : ['subgraphs', name]), 'main.js');
  if (!existsSync(file)) {
    throw new Error(
      `${path.relative(process.cwd(), file)} does not exist: run npm run build (npm start does), and check that the ${name} service's main.ts exists`,
    );
  }
  return file;
}

/** A leftover process on a port would answer /ready in place of the child we start. */
async function assertPortFree(name: ServiceName, port: number): Promise<void> {
  const taken = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const answer = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => answer(true));
    socket.once('error', () => answer(false));
    socket.setTimeout(1_000, () => answer(false));
  });
  if (taken) {
    throw new Error(`port ${port} (${name.toUpperCase()}_PORT) is already in use: is another npm start running?`);
  }
}

/** One Node process per service, as in production, with the shared settings added to its env. */
function startService(name: ServiceName, entry: string, env: NodeJS.ProcessEnv): ManagedProcess {
  return startManagedProcess({ name, command: process.execPath, args: [entry], env });
}

/** Starts everything in dependency order; returns the gateway's GraphQL URL. */
async function startSupergraph(config: DevConfig, supervisor: Supervisor): Promise<string> {
  const services: ServiceName[] = [...SUBGRAPH_NAMES, 'gateway'];
  const entries = Object.fromEntries(services.map((name) => [name, entryPoint(name)])) as Record<ServiceName, string>;
  for (const name of services) await assertPortFree(name, config.ports[name]);

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const postgres = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort });
    supervisor.add(postgres.server);
    supervisor.watch(postgres.server);
    // Relative inside the checkout; as it is where the cluster had to move out of the postgres user's way.
    const relative = path.relative(process.cwd(), postgres.passwordFile);
    const where = relative.startsWith('..') ? postgres.passwordFile : relative;
    log(`embedded Postgres on 127.0.0.1:${config.embeddedPostgresPort}, user postgres, password in ${where}`);
    databaseUrl = postgres.url;
  }
  const nats = await ensureNatsServer(config.natsUrl, config.dataDir, config.eventsPrefix);
  if (nats.server) {
    supervisor.add(nats.server);
    supervisor.watch(nats.server);
  }
  log(
    nats.passwordFile
      ? `started NATS at ${config.natsUrl}, a user per service; passwords (admin's for npm run events) in ${path.relative(process.cwd(), nats.passwordFile)}`
      : `using the NATS at ${config.natsUrl}`,
  );

  const databaseUrls = await subgraphDatabaseUrls(databaseUrl, config.databasePrefix, log);
  // The admin's URL stays here: each subgraph gets its own role's, the gateway none.
  const { DATABASE_URL: _admin, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    NATS_URL: config.natsUrl,
    ADMIN_EMAIL: config.admin.email,
    ADMIN_PASSWORD: config.admin.password,
  };
  // The subgraphs do not need each other to start, so they start side by side.
  const subgraphs = SUBGRAPH_NAMES.map((name) =>
    startService(name, entries[name], { ...env, DATABASE_URL: databaseUrls[name], ...nats.credentials(name) }),
  );
  supervisor.add(...subgraphs);
  await Promise.all(subgraphs.map((child, i) => waitForReady(child, config.ports[SUBGRAPH_NAMES[i]])));
  subgraphs.forEach((child) => supervisor.watch(child));

  const gateway = startService('gateway', entries.gateway, { ...env, ...nats.credentials('gateway') });
  supervisor.add(gateway);
  await waitForReady(gateway, config.ports.gateway);
  supervisor.watch(gateway);
  return `http://127.0.0.1:${config.ports.gateway}/graphql`;
}

/** `npm start`: the whole supergraph on one machine, stopped cleanly by Ctrl-C. */
async function main(): Promise<void> {
  const config = readDevConfig(process.env);
  const supervisor = new Supervisor();
  supervisor.handleSignals();
  try {
    const graphqlUrl = await startSupergraph(config, supervisor);
    const seeded = await seed(graphqlUrl, config.admin.email, config.admin.password);
    log(`demo catalog: ${seeded.created} products created, ${seeded.existing} already there`);
  } catch (error) {
    // When a signal or a crashed child is already stopping everything, this error is only its echo.
    if (!supervisor.isStopping) log(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    await supervisor.shutdown(1);
  }
  // Time since this process began, i.e. after the build: what a developer waits for.
  const coldStartMs = Math.round(performance.now());
  console.log(
    `Supergraph ready: http://localhost:${config.ports.gateway}/graphql (Apollo Sandbox); admin ${config.admin.email}; cold start ${coldStartMs} ms`,
  );
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
