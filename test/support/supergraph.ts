import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';
import { Client } from 'pg';
import { databaseUrl } from '../../platform/db/database';
import { dropSubgraphs, provisionSubgraphs } from '../../platform/db/subgraphRoles';
import { deleteEventNamespace } from './eventProbe';
import { freePort } from './freePort';
import { TestNatsServer } from './testNatsServer';
import { TEST_DATABASE_URL, TEST_NATS_URL, TEST_STREAM_MAX_BYTES, testNamespace } from './testEnv';

const ROOT = path.resolve(__dirname, '../..');

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface Supergraph {
  gatewayUrl: string;
  baseUrl: Record<SubgraphName | 'gateway', string>;
  env: Record<string, string>;
  /** Sends a typed document through the gateway. */
  execute<T, V>(document: TypedDocumentNode<T, V>, variables?: V, token?: string): Promise<GraphQLResult<T>>;
  /** Posts a raw body (malformed JSON, unknown fields, ...). */
  post(url: string, body: string, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** SQL statements a subgraph ran for requests so far, read from its /metrics. */
  dbQueries(service: SubgraphName): Promise<number>;
  /** One more gateway process over the same subgraphs (e.g. in production mode). */
  startGateway(extraEnv: Record<string, string>): Promise<ExtraProcess>;
  /** One more process of a subgraph on its own port, over the same database. */
  startInstance(service: SubgraphName, extraEnv?: Record<string, string>): Promise<ExtraProcess>;
  /** Sends a signal to a subgraph's process: SIGKILL a crash, SIGSTOP a hang (SIGCONT ends it). */
  signal(service: SubgraphName, signal: NodeJS.Signals): void;
  /** Stops a subgraph (if it runs) and starts it again, with extra settings for this run. */
  restart(service: SubgraphName, extraEnv?: Record<string, string>): Promise<void>;
  /** Stops one subgraph (SIGTERM, as an orchestrator would). */
  stopService(service: SubgraphName): Promise<void>;
  /** Runs SQL in a subgraph's own database, to check what it stored. */
  sql<T = Record<string, unknown>>(service: SubgraphName, query: string, params?: unknown[]): Promise<T[]>;
  /** The lines a service (gateway, users, ..., `gateway-2` for startGateway's) wrote to stdout and stderr so far. */
  output(service: SubgraphName | 'gateway' | 'gateway-2'): string[];
  /** Resolves when a subgraph's process has exited (say, by an injected fault). */
  exited(service: SubgraphName): Promise<number | null>;
  /**
   * The supergraph's own nats-server, with the per-service users and permissions of
   * platform/events/natsPermissions.ts (each service connects as itself), unless the test gave NATS_URL.
   */
  nats?: TestNatsServer;
  stop(): Promise<void>;
}

export interface ExtraProcess {
  /** Base URL (no path). */
  url: string;
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code once the process has exited. */
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Runs the whole supergraph as production does: six processes from dist/
 * (`npm run build` first; `npm test` does), on free ports, in their own
 * databases and event namespace, all removed on stop.
 */
export async function startSupergraph(
  extraEnv: Record<string, string> = {},
  /** Settings for one service's process only (e.g. each its own METRICS_PORT), on top of extraEnv. */
  serviceEnv: Partial<Record<SubgraphName | 'gateway', Record<string, string>>> = {},
): Promise<Supergraph> {
  if (!existsSync(path.join(ROOT, 'dist/gateway/main.js'))) throw new Error('dist/ is missing: run `npm run build`');
  const { prefix, dataDir } = testNamespace();
  // Every e2e run proves the permissions suffice: a refused subject fails its saga.
  const nats = extraEnv.NATS_URL ? undefined : await TestNatsServer.start({ authenticated: { prefix } });
  const natsUser = (name: SubgraphName | 'gateway'): Record<string, string> => (nats ? nats.env(name) : {});
  const ports = Object.fromEntries(
    await Promise.all(['gateway', ...SUBGRAPH_NAMES].map(async (name) => [name, await freePort()] as const)),
  ) as Record<SubgraphName | 'gateway', number>;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    DATABASE_URL: TEST_DATABASE_URL,
    NATS_URL: nats?.url ?? TEST_NATS_URL,
    DB_PREFIX: prefix,
    EVENTS_PREFIX: prefix,
    // Each stream reserves its max_bytes of the NATS server's store: test namespaces stay small.
    EVENTS_STREAM_MAX_BYTES: TEST_STREAM_MAX_BYTES,
    DATA_DIR: dataDir,
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: 'test-admin-password',
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)])),
    ...extraEnv,
  };
  // The gateway holds no database credentials at all, as in production.
  const { DATABASE_URL: _adminUrl, ...gatewayEnv } = env;
  const baseUrl = Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`]),
  ) as Record<SubgraphName | 'gateway', string>;

  const children: ChildProcess[] = [];
  const lines = new Map<string, string[]>();
  const bySubgraph = new Map<SubgraphName, ChildProcess>();
  // As in production, each subgraph connects as its own role, owner of its database only (env keeps
  // the admin's server URL, for sql() and the tests that look into the databases).
  let databaseUrls: Partial<Record<SubgraphName, string>> = {};
  const ownDatabase = (name: SubgraphName): Record<string, string> => {
    const url = databaseUrls[name];
    return url ? { DATABASE_URL: url } : {};
  };
  const spawnSubgraph = (name: SubgraphName, extra: Record<string, string> = {}) => {
    const child = spawnService(
      `dist/subgraphs/${name}/main.js`,
      name,
      { ...env, ...ownDatabase(name), ...natsUser(name), ...serviceEnv[name], ...extra },
      lines,
    );
    children.push(child);
    bySubgraph.set(name, child);
    return child;
  };
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await dropSubgraphs(TEST_DATABASE_URL, prefix, SUBGRAPH_NAMES);
    await rm(dataDir, { recursive: true, force: true });
    // A test that ran its own NATS may have removed it already; its streams went with it.
    if (nats) await nats.remove();
    else await deleteEventNamespace(prefix, env.NATS_URL ?? TEST_NATS_URL).catch(() => undefined);
  };
  try {
    databaseUrls = await provisionSubgraphs(TEST_DATABASE_URL, prefix, SUBGRAPH_NAMES, env.DATABASE_URL);
    for (const name of SUBGRAPH_NAMES) spawnSubgraph(name);
    await Promise.all(SUBGRAPH_NAMES.map((name) => waitReady(baseUrl[name], name, children)));
    children.push(
      spawnService(
        'dist/gateway/main.js',
        'gateway',
        { ...gatewayEnv, ...natsUser('gateway'), ...serviceEnv.gateway },
        lines,
      ),
    );
    await waitReady(baseUrl.gateway, 'gateway', children);
  } catch (error) {
    await stop();
    throw error;
  }

  const post = async (url: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the assertion message
    }
    return { status: response.status, body: parsed as any };
  };

  return {
    gatewayUrl: `${baseUrl.gateway}/graphql`,
    baseUrl,
    env,
    async execute(document, variables, token) {
      const { status, body } = await post(
        `${baseUrl.gateway}/graphql`,
        JSON.stringify({ query: print(document), variables }),
        token ? { authorization: `Bearer ${token}` } : {},
      );
      return { status, ...body };
    },
    post,
    async dbQueries(service) {
      const text = await (await fetch(`${baseUrl[service]}/metrics`)).text();
      const match = text.match(/^db_queries_total\{[^}]*origin="request"[^}]*\} (\d+)/m);
      return match ? Number(match[1]) : 0;
    },
    async restart(name, extra = {}) {
      const current = bySubgraph.get(name);
      if (current) await stopChild(current);
      const child = spawnSubgraph(name, extra);
      await waitReady(baseUrl[name], name, [child]);
    },
    async stopService(name) {
      const child = bySubgraph.get(name);
      if (child) await stopChild(child);
    },
    async sql(service, query, params = []) {
      const client = new Client({ connectionString: databaseUrl(TEST_DATABASE_URL, `${prefix}_${service}`) });
      await client.connect();
      try {
        return (await client.query(query, params)).rows;
      } finally {
        await client.end();
      }
    },
    output: (service) => lines.get(service) ?? [],
    exited: (name) => exitOf(bySubgraph.get(name)!),
    nats,
    async startGateway(extra) {
      const port = await freePort();
      const child = spawnService(
        'dist/gateway/main.js',
        'gateway-2',
        { ...gatewayEnv, ...natsUser('gateway'), GATEWAY_PORT: String(port), ...extra },
        lines,
      );
      children.push(child);
      await waitReady(`http://127.0.0.1:${port}`, 'gateway-2', [child]);
      return extraProcess(child, `http://127.0.0.1:${port}`);
    },
    async startInstance(name, extra = {}) {
      const port = await freePort();
      const variable = `${name.toUpperCase()}_PORT`;
      const child = spawnService(`dist/subgraphs/${name}/main.js`, `${name}-${port}`, {
        ...env,
        ...ownDatabase(name),
        ...natsUser(name),
        [variable]: String(port),
        ...extra,
      });
      children.push(child);
      await waitReady(`http://127.0.0.1:${port}`, `${name}-${port}`, [child]);
      return extraProcess(child, `http://127.0.0.1:${port}`);
    },
    signal(name, signal) {
      bySubgraph.get(name)?.kill(signal);
    },
    stop,
  };
}

function spawnService(
  script: string,
  name: string,
  env: Record<string, string>,
  lines = new Map<string, string[]>(),
): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, script)], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kept = lines.get(name) ?? [];
  lines.set(name, kept);
  // Every line is kept for the test to read; warnings and errors are shown with the service's name.
  const relay = (out: NodeJS.WriteStream) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts.filter(Boolean)) {
        kept.push(line);
        if (worthShowing(line)) out.write(`[${name}] ${line}\n`);
      }
    };
  };
  child.stdout?.on('data', relay(process.stdout));
  child.stderr?.on('data', relay(process.stderr));
  return child;
}

/** Lines that are not pino JSON, and pino lines at warn (40) or above. */
function worthShowing(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level !== 'number' || level >= 40;
  } catch {
    return true;
  }
}

async function waitReady(base: string, name: string, children: ChildProcess[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exited = children.find((c) => c.exitCode !== null);
    if (exited) throw new Error(`a service exited with code ${exited.exitCode} while ${name} was starting`);
    try {
      if ((await fetch(`${base}/ready`, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} was not ready within ${timeoutMs} ms`);
}

function extraProcess(child: ChildProcess, url: string): ExtraProcess {
  return {
    url,
    signal: (signal) => child.kill(signal),
    exited: () => exitOf(child),
    stop: () => stopChild(child),
  };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // A process a test paused (SIGSTOP, a hang) handles the SIGTERM only once it runs again.
  child.kill('SIGCONT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
