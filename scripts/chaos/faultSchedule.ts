import { rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { streamOf } from '../../platform/events/naming';
import type { ChaosSettings } from './chaosSettings';
import type { ChaosTopology } from './chaosTopology';

/** One phase: its fault and the recovery from it (the quiet time after it is the runner's). */
export interface FaultPhase {
  name: string;
  inject(signal: AbortSignal): Promise<void>;
}

type Log = (line: string) => void;

/**
 * The schedule, in order: a baseline without faults; each chosen process
 * SIGKILLed and started again; the NATS node leading the orders stream
 * killed, then back; the whole NATS cluster stopped and started with its
 * stores; a database refusing connections; the payment provider down.
 */
export function faultSchedule(settings: ChaosSettings, topology: ChaosTopology, log: Log): FaultPhase[] {
  const s = settings.schedule;
  const wanted = new Set(s.faults);
  const phases: FaultPhase[] = [
    { name: 'baseline', inject: (signal) => sleep(s.baselineSeconds * 1000, undefined, { signal }) },
  ];
  if (wanted.has('kills')) {
    for (const target of s.kills)
      phases.push({ name: `kill ${target}`, inject: () => killAndRestart(topology, target, log) });
  }
  if (wanted.has('nats-node')) {
    phases.push({
      name: `NATS node down ${s.natsNodeDownSeconds}s`,
      inject: (signal) => natsNodeOutage(topology, s.natsNodeDownSeconds, log, signal),
    });
  }
  if (wanted.has('nats-cluster')) {
    phases.push({
      name: `NATS cluster restart`,
      inject: (signal) => natsClusterRestart(topology, s.natsClusterDownSeconds, log, signal),
    });
  }
  if (wanted.has('database')) {
    phases.push({
      name: `${s.outageDatabase} db refuses ${s.databaseOutageSeconds}s`,
      inject: (signal) => databaseOutage(topology, s.outageDatabase, s.databaseOutageSeconds, log, signal),
    });
  }
  if (wanted.has('provider')) {
    phases.push({
      name: `payment provider down ${s.providerOutageSeconds}s`,
      inject: (signal) => providerOutage(topology, s.providerOutageSeconds, log, signal),
    });
  }
  return phases;
}

async function killAndRestart(topology: ChaosTopology, name: string, log: Log): Promise<void> {
  const target = topology.process(name);
  await target.kill();
  const killedAt = Date.now();
  await target.start();
  log(`${name} killed, ready again after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
}

/** The node whose loss hurts most: the one leading the orders stream (every placed order's event). */
async function natsNodeOutage(topology: ChaosTopology, seconds: number, log: Log, signal: AbortSignal): Promise<void> {
  const { nats } = topology;
  const leader = (await nats.streamLeader(streamOf(topology.prefix, 'orders')).catch(() => undefined)) ?? 'nats-1';
  const node = nats.node(leader);
  await nats.kill(node);
  log(`${node.name} (orders stream leader) killed`);
  try {
    await sleep(seconds * 1000, undefined, { signal });
  } finally {
    nats.startNode(node);
  }
  await nats.waitHealthy();
  log(`${node.name} back and healthy`);
}

async function natsClusterRestart(
  topology: ChaosTopology,
  seconds: number,
  log: Log,
  signal: AbortSignal,
): Promise<void> {
  const { nats } = topology;
  await nats.stopAll();
  log('all NATS nodes stopped');
  try {
    await sleep(seconds * 1000, undefined, { signal });
  } finally {
    for (const node of nats.nodes) nats.startNode(node);
  }
  const startedAt = Date.now();
  await nats.waitHealthy();
  log(`NATS cluster healthy ${((Date.now() - startedAt) / 1000).toFixed(1)} s after its start`);
}

/**
 * The database takes no new connection and loses the ones it had, as when
 * its server fails over: both instances of the service lose it at once.
 */
async function databaseOutage(
  topology: ChaosTopology,
  service: 'inventory' | 'payments',
  seconds: number,
  log: Log,
  signal: AbortSignal,
): Promise<void> {
  const database = topology.databaseName(service);
  await allowConnections(topology.serverUrl, database, false);
  log(`${database} refuses connections`);
  try {
    await sleep(seconds * 1000, undefined, { signal });
  } finally {
    await allowConnections(topology.serverUrl, database, true);
    log(`${database} takes connections again`);
  }
}

async function allowConnections(serverUrl: string, database: string, allow: boolean): Promise<void> {
  const db = new Client({ connectionString: serverUrl });
  await db.connect();
  try {
    await db.query(`ALTER DATABASE "${database.replace(/"/g, '""')}" WITH ALLOW_CONNECTIONS ${allow}`);
    if (!allow) {
      await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    }
  } finally {
    await db.end();
  }
}

/** Every payments instance's provider fails every call while the file exists (PAYMENT_PROVIDER_OUTAGE_FILE). */
async function providerOutage(topology: ChaosTopology, seconds: number, log: Log, signal: AbortSignal): Promise<void> {
  await writeFile(topology.providerOutageFile, `outage for ${seconds} s\n`);
  log('payment provider down');
  try {
    await sleep(seconds * 1000, undefined, { signal });
  } finally {
    await rm(topology.providerOutageFile, { force: true });
    log('payment provider back');
  }
}
