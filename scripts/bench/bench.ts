import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { CatalogPageDocument, MyOrdersWithItemsDocument, ProductSummaryDocument } from '../../client/generated/graphql';
import { SUBGRAPH_NAMES } from '../../platform/config';
import { body, logInUsers, OURS_ENV, startBenchSession, type BenchSession } from './benchSession';
import type { BenchSubgraphs, GatewayKind } from './benchServices';
import { MEASURING, type LoadResult, type LoadSpec } from './loadGenerator';
import { cpuSeconds, peakRssBytes } from './processStats';
import { renderMarkdown, summarise, type BenchResults, type Sample } from './report';
import { measureSagaCost } from './sagaCost';
import { runSagaLoad, warmUpSaga } from './sagaLoad';
import { FULL, QUICK, type Settings } from './benchSettings';
import { runSubscriptionLoad, type SubscriptionFigures } from './subscriptionLoad';
import { runRampScenario, runShopScenarios, shopScenarioCustomers, type SagaScenarios } from './sagaScenarios';
import { harnessSettings } from '../harnessSettings';

const GATEWAYS: GatewayKind[] = ['ours', 'apollo', 'hive'];
type Operation = 'Q1' | 'Q2' | 'Q3';

/** Users the gateway runs and the fixed-rate saga spread their load over (the first is the gateway runs' user). */
const LOAD_USERS = 20;

const log = (message: string) => console.log(`[bench] ${message}`);

/**
 * --quick; and, to look at one part while working on it: --gateways ours,hive
 * (default all three), --saga-only (the fixed-rate saga run),
 * --saga-scenarios-only (flash sale, steady rates with polling, ramp),
 * --subscriptions-only (subscribers following orders and products while orders flow),
 * --saga-rate N (orders/s), --saga-seconds N.
 */
function readOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      gateways: { type: 'string', default: GATEWAYS.join(',') },
      'saga-only': { type: 'boolean', default: false },
      'saga-scenarios-only': { type: 'boolean', default: false },
      'subscriptions-only': { type: 'boolean', default: false },
      'saga-rate': { type: 'string' },
      'saga-seconds': { type: 'string' },
    },
  });
  const base = values.quick ? QUICK : FULL;
  const gateways = values.gateways.split(',') as GatewayKind[];
  if (gateways.some((g) => !GATEWAYS.includes(g))) throw new Error(`--gateways: one of ${GATEWAYS.join(', ')}`);
  const onlyOne = ['saga-only', 'saga-scenarios-only', 'subscriptions-only'] as const;
  const chosen = onlyOne.filter((option) => values[option]);
  if (chosen.length > 1) throw new Error(`--${chosen.join(' and --')}: one or the other`);
  const only = chosen[0];
  const parts = {
    gateways: !only,
    saga: !only || only === 'saga-only',
    scenarios: !only || only === 'saga-scenarios-only',
    subscriptions: !only || only === 'subscriptions-only',
  };
  const settings: Settings = {
    ...base,
    rounds: only ? 0 : base.rounds,
    saga: {
      ...base.saga,
      ratePerSecond: Number(values['saga-rate'] ?? base.saga.ratePerSecond),
      seconds: Number(values['saga-seconds'] ?? base.saga.seconds),
    },
  };
  return { quick: values.quick, gateways, settings, parts };
}

async function main(): Promise<void> {
  const { quick, gateways, settings, parts } = readOptions();
  const started = Date.now();
  const what = Object.entries(parts).flatMap(([part, on]) => (on ? [part] : []));
  log(`${quick ? 'quick' : 'full'} run of ${what.join(', ')}: ${settings.rounds} round(s) of ${gateways.join(', ')}`);
  const session = await startBenchSession(log);
  let samples: Sample[] = [];
  let sqlPerQ2: BenchResults['sql_per_q2'];
  let saga: BenchResults['saga'];
  let shopScenarios: Omit<SagaScenarios, 'ramp'> | undefined;
  let subscriptions: SubscriptionFigures | undefined;
  try {
    // Tokens come from our gateway (the baselines act for the same user whatever is sent).
    const ours = await session.subgraphs.startGateway('ours', OURS_ENV);
    const customers = parts.scenarios ? shopScenarioCustomers(settings.scenarios) : 0;
    const tokens = await logInUsers(session, Math.max(LOAD_USERS, customers));
    await ours.stop();

    if (parts.gateways) samples = await compareGateways(session, gateways, settings, tokens[0]);

    const gateway = await session.subgraphs.startGateway('ours', OURS_ENV);
    try {
      if (parts.saga) {
        sqlPerQ2 = await sqlPerRequest(session.subgraphs, session.graphqlUrl, tokens[0], [5, 10, 25]);
        log(`SQL statements per Q2: ${JSON.stringify(sqlPerQ2)}`);
        saga = await measureSaga(session, tokens.slice(0, LOAD_USERS), gateway.pid!, settings.saga);
        log(`saga: ${JSON.stringify(saga)}`);
      }
      if (parts.scenarios) shopScenarios = await runShopScenarios(session, tokens, settings.scenarios, log);
    } finally {
      await gateway.stop();
    }
    if (parts.subscriptions) {
      subscriptions = await measureSubscriptions(session, tokens.slice(0, LOAD_USERS), settings.subscriptions);
      log(`subscriptions: ${JSON.stringify(subscriptions)}`);
    }
  } finally {
    await session.stop();
  }
  // After the shop's own services stopped: the ramp runs on services of its own (another SAGA_MAX_DRAIN_SECONDS).
  const sagaScenarios = shopScenarios && { ...shopScenarios, ramp: await runRampScenario(settings.scenarios, log) };

  const results: BenchResults = {
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? 'unknown',
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      quick,
      settings,
      date: new Date().toISOString(),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    ...summarise(samples),
    sql_per_q2: sqlPerQ2,
    saga,
    saga_scenarios: sagaScenarios,
    subscriptions,
    samples,
  };
  const markdown = renderMarkdown(results);
  // BENCH_RESULTS_DIR: somewhere else than the committed results (the test of the bench uses it).
  const dir = path.resolve(
    harnessSettings.read(process.env).resultsDir ?? path.join(__dirname, '../../../bench/results'),
  );
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.join(dir, 'latest.md'), markdown);
  console.log(`\n${markdown}`);
  log(
    `written to ${path.relative(process.cwd(), dir) || '.'}/latest.json and latest.md in ${results.machine.duration_s} s`,
  );
}

/** Each gateway in turn on the same port, each operation measured, `settings.rounds` times. */
async function compareGateways(
  session: BenchSession,
  gateways: GatewayKind[],
  settings: Settings,
  token: string,
): Promise<Sample[]> {
  const { seeded } = session;
  const operations: Record<Operation, string> = {
    Q1: body(CatalogPageDocument, { first: 20 }),
    Q2: body(MyOrdersWithItemsDocument, { first: 10 }),
    Q3: body(ProductSummaryDocument, { id: seeded.productIds[0] }),
  };
  const samples: Sample[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const kind of gateways) {
      const gateway = await session.subgraphs.startGateway(
        kind,
        kind === 'ours' ? OURS_ENV : { BENCH_USER_ID: seeded.user.id },
      );
      try {
        for (const [operation, requestBody] of Object.entries(operations) as [Operation, string][]) {
          const measured = await measure(gateway.pid!, {
            url: session.graphqlUrl,
            body: requestBody,
            headers: { authorization: `Bearer ${token}` },
            connections: settings.connections,
            warmupSeconds: settings.warmupSeconds,
            durationSeconds: settings.durationSeconds,
          });
          samples.push({ round, gateway: kind, operation, ...measured });
          log(
            `round ${round} ${kind} ${operation}: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50_ms} ms, p99 ${measured.p99_ms} ms, errors ${measured.errors}`,
          );
        }
        samples.forEach((sample) => {
          if (sample.round === round && sample.gateway === kind)
            sample.peak_rss_mb = peakRssBytes(gateway.pid!) / 2 ** 20;
        });
      } finally {
        await gateway.stop();
      }
    }
  }
  return samples;
}

/**
 * Subscribers on a gateway of their own. Every watcher comes from this one machine, so the per-user cap
 * (an anonymous subscriber is capped by its address) is lifted for the run, as the rate limit is.
 */
async function measureSubscriptions(
  session: BenchSession,
  tokens: string[],
  settings: Settings['subscriptions'],
): Promise<SubscriptionFigures> {
  const gateway = await session.subgraphs.startGateway('ours', { ...OURS_ENV, SUBSCRIPTIONS_MAX_PER_USER: '10000' });
  try {
    const target = { graphqlUrl: session.graphqlUrl, tokens, productIds: session.seeded.productIds };
    return await runSubscriptionLoad(target, gateway.pid!, settings);
  } finally {
    await gateway.stop();
  }
}

/** The saga at a fixed offered load after a warm-up, with what an order cost. */
async function measureSaga(
  session: BenchSession,
  tokens: string[],
  gatewayPid: number,
  settings: Settings['saga'],
): Promise<NonNullable<BenchResults['saga']>> {
  const sagaSpec = {
    graphqlUrl: session.graphqlUrl,
    tokens,
    productIds: session.seeded.productIds,
    ordersDatabaseUrl: session.ordersDatabaseUrl,
    ...settings,
  };
  const { warmUp } = settings;
  const warmed = await warmUpSaga(sagaSpec, warmUp.ratePerSecond, warmUp.seconds);
  log(`saga warm-up (not counted): ${JSON.stringify(warmed)}`);
  return {
    ...(await measureSagaCost(session.subgraphs, gatewayPid, () => runSagaLoad(sagaSpec))),
    warm_up: { offered_per_s: warmUp.ratePerSecond, seconds: warmUp.seconds },
  };
}

/**
 * One load run in the load generator's own process; the gateway's CPU time
 * is read from /proc at the start and the end of the measured window.
 */
async function measure(gatewayPid: number, spec: LoadSpec): Promise<LoadResult & { cpu_s_per_1k: number }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'loadGenerator.js'), JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let cpuAtStart = 0;
  let result: LoadResult | undefined;
  let cpuAtEnd = 0;
  for await (const line of readline.createInterface({ input: child.stdout })) {
    if (line === MEASURING) cpuAtStart = cpuSeconds(gatewayPid);
    else if (line.startsWith('{')) {
      cpuAtEnd = cpuSeconds(gatewayPid);
      result = JSON.parse(line) as LoadResult;
    }
  }
  const code = await new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
  );
  if (!result || code !== 0) throw new Error(`the load generator failed (exit ${code})`);
  return { ...result, cpu_s_per_1k: ((cpuAtEnd - cpuAtStart) / Math.max(result.requests, 1)) * 1000 };
}

/** SQL statements all subgraphs run per Q2 request, by page size: must not grow with it (DataLoader). */
async function sqlPerRequest(
  subgraphs: BenchSubgraphs,
  graphqlUrl: string,
  token: string,
  pageSizes: number[],
): Promise<Record<string, number>> {
  const statements = async () => {
    let total = 0;
    for (const name of SUBGRAPH_NAMES) {
      const text = await (await fetch(`${subgraphs.baseUrl[name]}/metrics`)).text();
      const match = text.match(/^db_queries_total\{[^}]*origin="request"[^}]*\} (\d+)/m);
      total += match ? Number(match[1]) : 0;
    }
    return total;
  };
  const result: Record<string, number> = {};
  const requests = 10;
  for (const first of pageSizes) {
    const before = await statements();
    for (let i = 0; i < requests; i++) {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: body(MyOrdersWithItemsDocument, { first }),
      });
      const answer = (await response.json()) as { errors?: unknown };
      if (answer.errors) throw new Error(`Q2 failed: ${JSON.stringify(answer.errors)}`);
    }
    result[String(first)] = ((await statements()) - before) / requests;
  }
  return result;
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
