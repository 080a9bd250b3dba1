import { accessSync, constants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { NATS_USERS, type NatsUser } from '../platform/events/natsPermissions';
import {
  generateNatsPassword,
  natsPasswordVariable,
  renderNatsServerConfig,
} from '../platform/events/natsServerConfig';
import type { ServiceName } from '../platform/serviceNames';
import { startManagedProcess, type ManagedProcess } from './managedProcess';

export interface NatsServer {
  url: string;
  /** Set only when we started the server, so only then do we stop it. */
  server?: ManagedProcess;
  /**
   * A service's NATS_USER and NATS_PASSWORD for the server we started (each its own user,
   * platform/events/natsPermissions.ts); none for a NATS that was already there: the services
   * then connect with what the environment says.
   */
  credentials(service: ServiceName): Record<string, string>;
  /** Where the passwords are (the admin's is for `npm run events`); only for the server we started. */
  passwordFile?: string;
}

type ProbeResult = 'nats' | 'other' | 'nothing';

const DEFAULT_PORT = 4222;
const PROBE_TIMEOUT_MS = 1_000;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Uses the NATS at `natsUrl` when one answers; otherwise runs a local nats-server with
 * JetStream (the saga's events need it) storing under `<dataDir>/nats`, with a user per service
 * and its permissions for the namespace `prefix` (EVENTS_PREFIX).
 */
export async function ensureNatsServer(
  natsUrl: string,
  dataDir: string,
  prefix: string,
  startTimeoutMs = 15_000,
): Promise<NatsServer> {
  const { host, port } = firstServer(natsUrl);
  const found = await probe(host, port);
  if (found === 'nats') return { url: natsUrl, credentials: () => ({}) };
  if (found === 'other') {
    throw new Error(
      `something other than NATS answers at ${host}:${port}: free the port or point NATS_URL at a NATS server`,
    );
  }
  if (!LOCAL_HOSTS.has(host)) {
    throw new Error(`no NATS server answers at ${natsUrl} (NATS_URL), and npm start only runs one on this machine`);
  }
  const binary = findOnPath('nats-server');
  if (!binary) {
    throw new Error(
      `no NATS server answers at ${natsUrl} and there is no nats-server on the PATH: install one (apt install nats-server, or brew install nats-server) or run docker compose -f docker/compose.yml up nats`,
    );
  }
  const storeDir = path.resolve(dataDir, 'nats');
  await fs.mkdir(storeDir, { recursive: true });
  const passwordFile = path.join(storeDir, 'passwords.json');
  const passwords = await readOrCreatePasswords(passwordFile);
  // Rendered at every start, so a changed declaration or EVENTS_PREFIX applies; it holds no secret.
  const configFile = path.join(storeDir, 'nats.conf');
  await fs.writeFile(configFile, renderNatsServerConfig(prefix));
  const listenHost = host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  const server = startManagedProcess({
    name: 'nats',
    command: binary,
    args: ['-js', '-sd', storeDir, '-a', listenHost, '-p', String(port), '-c', configFile],
    // nats-server reads each $NATS_PASSWORD_<USER> of the config from its environment.
    env: {
      PATH: process.env.PATH,
      ...Object.fromEntries(NATS_USERS.map((user) => [natsPasswordVariable(user), passwords[user]])),
    },
  });
  await waitUntilServing(server, host, port, startTimeoutMs);
  return {
    url: natsUrl,
    server,
    passwordFile,
    credentials: (service) => ({ NATS_USER: service, NATS_PASSWORD: passwords[service] }),
  };
}

/** Made once, kept with the store: a restart of npm start keeps the users it had. */
async function readOrCreatePasswords(file: string): Promise<Record<NatsUser, string>> {
  let known: Partial<Record<NatsUser, string>> = {};
  try {
    known = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Record<NatsUser, string>>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${String(error)}`);
  }
  const passwords = Object.fromEntries(
    NATS_USERS.map((user) => [user, known[user] ?? generateNatsPassword()]),
  ) as Record<NatsUser, string>;
  if (NATS_USERS.some((user) => known[user] === undefined)) {
    await fs.writeFile(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  }
  return passwords;
}

/** NATS_URL may list several servers ("nats://a:4222,nats://b:4222"); the first decides. */
function firstServer(natsUrl: string): { host: string; port: number } {
  const first = natsUrl.split(',')[0].trim();
  const url = new URL(first.includes('://') ? first : `nats://${first}`);
  return { host: url.hostname, port: Number(url.port) || DEFAULT_PORT };
}

/** A NATS server greets every new connection with an `INFO {...}` line. */
function probe(host: string, port: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(socket.connecting ? 'nothing' : 'other'));
    socket.once('data', (chunk) => done(chunk.toString('utf8').startsWith('INFO') ? 'nats' : 'other'));
    socket.once('error', () => done('nothing'));
  });
}

/** Like `which`: the first executable of that name on the PATH. */
function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** Polls until the new server greets us; fails early, with its last words, if it exits. */
async function waitUntilServing(server: ManagedProcess, host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await probe(host, port)) !== 'nats') {
    if (!server.running) {
      throw new Error(`nats-server exited during start: ${server.recentOutput()}`);
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`nats-server did not accept connections within ${timeoutMs} ms: ${server.recentOutput()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
