import { setTimeout as sleep } from 'node:timers/promises';
import { ChaosLoad, type OfferedOrder } from './ChaosLoad';
import type { ChaosSettings } from './chaosSettings';
import { startChaosTopology } from './chaosTopology';
import { faultSchedule } from './faultSchedule';
import { GraphQLClient } from './GraphQLClient';
import { checkInvariants, type InvariantResult } from './invariants';
import type { PhaseLoad } from './phaseLoad';
import { readRunSnapshot, type RunSnapshot } from './readRunSnapshot';
import { sampleBacklog } from './sampleBacklog';
import { seedChaosData } from './seedChaosData';
import { waitForSagaEnd, type SagaEnd } from './waitForSagaEnd';

const WANTED_REPLICAS = 3;

export interface ChaosTotals {
  /** Orders (idempotency keys) the clients tried to place. */
  offered: number;
  /** Of those, placed: the API returned an order. */
  taken: number;
  /** Given up by the client after its retries, the last refused (saga_backlog) or failed (transport, SERVICE_UNAVAILABLE). */
  gaveUpRefused: number;
  gaveUpFailed: number;
  /** Ended by an error a client does not retry (INTERNAL_SERVER_ERROR, CONFLICT, ...). */
  otherErrors: number;
  attemptsRefused: number;
  retries: number;
  cancelsAccepted: number;
  ordersInDatabase: number;
  paid: number;
  rejected: Record<string, number>;
  cancelled: number;
}

export interface ChaosResult {
  mode: ChaosSettings['mode'];
  prefix: string;
  logFile: string;
  streams: { name: string; replicas: number; servers: number }[];
  warnings: string[];
  phases: (PhaseLoad & { seconds: number })[];
  totals: ChaosTotals;
  sagaEnd: SagaEnd;
  invariants: InvariantResult[];
  seconds: { startUp: number; load: number; drain: number; total: number };
  ok: boolean;
}

/**
 * The whole run: topology up, seed, steady load through the fault schedule
 * (each phase its fault, its recovery and a quiet time), load stopped, the
 * saga waited for (bounded), then the invariants; everything removed after.
 */
export async function runChaos(
  settings: ChaosSettings,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<ChaosResult> {
  const startedAt = Date.now();
  const topology = await startChaosTopology(settings, log);
  const client = new GraphQLClient(topology.gatewayUrl);
  let load: ChaosLoad | undefined;
  let stopSampling: (() => Promise<void>) | undefined;
  try {
    const data = await seedChaosData(client, topology.admin, settings);
    log(`seeded ${data.products.length} products and ${data.customers.length} customers`);
    const streams = await topology.nats.streams(topology.prefix);
    const warnings = streams
      .filter((s) => s.replicas !== WANTED_REPLICAS || s.servers !== WANTED_REPLICAS)
      .map((s) => `stream ${s.name} is at R${s.replicas} on ${s.servers} server(s), not R${WANTED_REPLICAS}`);
    for (const warning of warnings) log(`WARNING: ${warning}`);

    load = new ChaosLoad(client, data, settings.load);
    const observed = load;
    stopSampling = await sampleBacklog(topology.databaseUrl('orders'), (n) => observed.noteBacklog(n));
    const loadStartedAt = Date.now();
    load.start();
    for (const phase of faultSchedule(settings, topology, log)) {
      load.enterPhase(phase.name);
      log(`phase: ${phase.name}`);
      await phase.inject(signal);
      if (phase.name !== 'baseline') await sleep(settings.schedule.quietSeconds * 1000, undefined, { signal });
    }
    log('schedule done; stopping the load');
    await load.stop();
    await stopSampling();
    const drainStartedAt = Date.now();
    const sagaEnd = await waitForSagaEnd(topology.databaseUrl, settings.drainSeconds * 1000, signal);
    log(
      sagaEnd.endedAfterMs === undefined
        ? `${sagaEnd.unfinished} orders still unfinished after ${settings.drainSeconds} s`
        : `every order ended ${(sagaEnd.endedAfterMs / 1000).toFixed(1)} s after the load stopped`,
    );
    const snapshot = await readRunSnapshot(topology.databaseUrl, topology.nats.url, topology.prefix);
    const invariants = checkInvariants(snapshot, { products: data.products, orders: load.orders });
    const endedAt = Date.now();
    return {
      mode: settings.mode,
      prefix: topology.prefix,
      logFile: topology.logFile,
      streams,
      warnings,
      phases: load.phases.map((p) => ({ ...p, seconds: ((p.endedAt ?? endedAt) - p.startedAt) / 1000 })),
      totals: totals(load.orders, load.phases, snapshot),
      sagaEnd,
      invariants,
      seconds: {
        startUp: (loadStartedAt - startedAt) / 1000,
        load: (drainStartedAt - loadStartedAt) / 1000,
        drain: (endedAt - drainStartedAt) / 1000,
        total: (endedAt - startedAt) / 1000,
      },
      ok: invariants.every((i) => i.ok),
    };
  } finally {
    load?.halt();
    await stopSampling?.();
    await client.close();
    await topology.stop();
  }
}

function totals(orders: OfferedOrder[], phases: PhaseLoad[], snapshot: RunSnapshot): ChaosTotals {
  const ended = (end: OfferedOrder['end']) => orders.filter((o) => o.end === end).length;
  const sum = (of: (p: PhaseLoad) => number) => phases.reduce((total, p) => total + of(p), 0);
  const rejected: Record<string, number> = {};
  for (const order of snapshot.orders.filter((o) => o.status === 'REJECTED')) {
    const reason = order.rejectionReason ?? 'none';
    rejected[reason] = (rejected[reason] ?? 0) + 1;
  }
  return {
    offered: orders.length,
    taken: ended('taken'),
    gaveUpRefused: ended('refused'),
    gaveUpFailed: ended('failed'),
    otherErrors: ended('error'),
    attemptsRefused: sum((p) => p.ordersRefused),
    retries: sum((p) => p.retries),
    cancelsAccepted: sum((p) => p.cancels),
    ordersInDatabase: snapshot.orders.length,
    paid: snapshot.orders.filter((o) => o.status === 'PAID').length,
    rejected,
    cancelled: snapshot.orders.filter((o) => o.status === 'CANCELLED').length,
  };
}
