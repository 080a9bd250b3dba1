import { accessSync, constants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startManagedProcess, type ManagedProcess } from './managedProcess';

export interface NatsServer {
  url: string;
  /** Set only when we started the server, so only then do we stop it. */
  server?: ManagedProcess;
}

type ProbeResult = 'nats' | 'other' | 'nothing';

const DEFAULT_PORT = 4222;
const PROBE_TIMEOUT_MS = 1_000;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Uses the NATS at `natsUrl` when one answers; otherwise runs a local nats-server with
 * JetStream (the saga's events need it) storing under `<dataDir>/nats`.
 */
export async function ensureNatsServer(natsUrl: string, dataDir: string, startTimeoutMs = 15_000): Promise<NatsServer> {
  const { host, port } = firstServer(natsUrl);
  const found = await probe(host, port);
  if (found === 'nats') return { url: natsUrl };
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
  const listenHost = host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  const server = startManagedProcess({
    name: 'nats',
    command: binary,
    args: ['-js', '-sd', storeDir, '-a', listenHost, '-p', String(port)],
  });
  await waitUntilServing(server, host, port, startTimeoutMs);
  return { url: natsUrl, server };
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
