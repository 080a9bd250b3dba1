import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  CatalogPageDocument,
  LogInDocument,
  MyOrdersWithItemsDocument,
  ProductSummaryDocument,
} from '../../client/generated/graphql';
import { databaseUrl } from '../../platform/db/database';
import { SUBGRAPH_NAMES } from '../../platform/config';
import { startBenchSubgraphs, type BenchSubgraphs, type GatewayKind } from './benchServices';
import { MEASURING, type LoadResult, type LoadSpec } from './loadGenerator';
import { cpuSeconds, peakRssBytes } from './processStats';
import { renderMarkdown, summarise, type BenchResults, type Sample } from './report';
import { measureSagaCost } from './sagaCost';
import { runSagaLoad, warmUpSaga } from './sagaLoad';
import { BENCH_PASSWORD, seedBenchData } from './seedBenchData';

const GATEWAYS: GatewayKind[] = ['ours', 'apollo', 'hive'];
type Operation = 'Q1' | 'Q2' | 'Q3';

interface Settings {
  rounds: number;
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
  saga: {
    ratePerSecond: number;
    seconds: number;
    settleSeconds: number;
    /** Orders at a low rate before the measured window, not counted (see warmUpSaga). */
    warmUp: { ratePerSecond: number; seconds: number };
  };
}

const FULL: Settings = {
  rounds: 3,
  warmupSeconds: 3,
  durationSeconds: 10,
  connections: 20,
  saga: { ratePerSecond: 200, seconds: 60, settleSeconds: 60, warmUp: { ratePerSecond: 20, seconds: 5 } },
};
/** Proves the bench works (CI); its figures are too short to compare. */
const QUICK: Settings = {
  rounds: 1,
  warmupSeconds: 1,
  durationSeconds: 2,
  connections: 20,
  saga: { ratePerSecond: 50, seconds: 4, settleSeconds: 20, warmUp: { ratePerSecond: 20, seconds: 1 } },
};

/**
 * Our gateway as shipped, except that the per-user budget (600 operations a
 * minute) is raised: the load generator is one user sending thousands of
 * requests a second. The limiter still runs on every request.
 */
const OURS_ENV = { RATE_LIMIT_POINTS: '1000000000', AUTH_RATE_LIMIT_POINTS: '1000000' };

const log = (message: string) => console.log(`[bench] ${message}`);

/**
 * --quick; and, to look at one part while working on it: --gateways ours,hive
 * (default all three), --saga-only, --saga-rate N (orders/s), --saga-seconds N.
 */
function readOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      gateways: { type: 'string', default: GATEWAYS.join(',') },
      'saga-only': { type: 'boolean', default: false },
      'saga-rate': { type: 'string' },
      'saga-seconds': { type: 'string' },
    },
  });
  const base = values.quick ? QUICK : FULL;
  const gateways = values.gateways.split(',') as GatewayKind[];
  if (gateways.some((g) => !GATEWAYS.includes(g))) throw new Error(`--gateways: one of ${GATEWAYS.join(', ')}`);
  const settings: Settings = {
    ...base,
    rounds: values['saga-only'] ? 0 : base.rounds,
    saga: {
      ...base.saga,
      ratePerSecond: Number(values['saga-rate'] ?? base.saga.ratePerSecond),
      seconds: Number(values['saga-seconds'] ?? base.saga.seconds),
    },
  };
  return { quick: values.quick, gateways, settings };
}

async function main(): Promise<void> {
  const { quick, gateways, settings } = readOptions();
  const started = Date.now();
  log(`${quick ? 'quick' : 'full'} run: ${settings.rounds} round(s) of ${gateways.join(', ')}`);
  const subgraphs = await startBenchSubgraphs();
  try {
    const seeded = await seedBenchData({ serverUrl: subgraphs.env.DATABASE_URL!, dbPrefix: subgraphs.env.DB_PREFIX! });
    log(`seeded ${seeded.productIds.length} products, ${seeded.users} users, ${seeded.orders} orders`);
    const graphqlUrl = `http://127.0.0.1:${subgraphs.gatewayPort}/graphql`;

    // Tokens come from our gateway (the baselines act for the same user whatever is sent).
    const ours = await subgraphs.startGateway('ours', OURS_ENV);
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        logIn(graphqlUrl, i === 0 ? seeded.user.email : `bench-user-${i + 1}@example.com`),
      ),
    );
    await ours.stop();

    const operations: Record<Operation, string> = {
      Q1: body(CatalogPageDocument, { first: 20 }),
      Q2: body(MyOrdersWithItemsDocument, { first: 10 }),
      Q3: body(ProductSummaryDocument, { id: seeded.productIds[0] }),
    };
    const samples: Sample[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      for (const kind of gateways) {
        const gateway = await subgraphs.startGateway(
          kind,
          kind === 'ours' ? OURS_ENV : { BENCH_USER_ID: seeded.user.id },
        );
        try {
          for (const [operation, requestBody] of Object.entries(operations) as [Operation, string][]) {
            const measured = await measure(gateway.pid!, {
              url: graphqlUrl,
              body: requestBody,
              headers: { authorization: `Bearer ${tokens[0]}` },
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

    const gateway = await subgraphs.startGateway('ours', OURS_ENV);
    let sqlPerQ2: Record<string, number>;
    let saga: BenchResults['saga'];
    try {
      sqlPerQ2 = await sqlPerRequest(subgraphs, graphqlUrl, tokens[0], [5, 10, 25]);
      log(`SQL statements per Q2: ${JSON.stringify(sqlPerQ2)}`);
      const sagaSpec = {
        graphqlUrl,
        tokens,
        productIds: seeded.productIds,
        ordersDatabaseUrl: databaseUrl(subgraphs.env.DATABASE_URL!, `${subgraphs.env.DB_PREFIX}_orders`),
        ...settings.saga,
      };
      const { warmUp } = settings.saga;
      const warmed = await warmUpSaga(sagaSpec, warmUp.ratePerSecond, warmUp.seconds);
      log(`saga warm-up (not counted): ${JSON.stringify(warmed)}`);
      saga = {
        ...(await measureSagaCost(subgraphs, gateway.pid!, () => runSagaLoad(sagaSpec))),
        warm_up: { offered_per_s: warmUp.ratePerSecond, seconds: warmUp.seconds },
      };
      log(`saga: ${JSON.stringify(saga)}`);
    } finally {
      await gateway.stop();
    }

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
      samples,
    };
    const markdown = renderMarkdown(results);
    // BENCH_RESULTS_DIR: somewhere else than the committed results (the test of the bench uses it).
    const dir = path.resolve(process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, '../../../bench/results'));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(path.join(dir, 'latest.md'), markdown);
    console.log(`\n${markdown}`);
    log(
      `written to ${path.relative(process.cwd(), dir) || '.'}/latest.json and latest.md in ${results.machine.duration_s} s`,
    );
  } finally {
    await subgraphs.stop();
  }
}

function body<T, V>(document: TypedDocumentNode<T, V>, variables: V): string {
  return JSON.stringify({ query: print(document), variables });
}

async function logIn(graphqlUrl: string, email: string): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body(LogInDocument, { email, password: BENCH_PASSWORD }),
  });
  const result = (await response.json()) as { data?: { logIn: { token: string } }; errors?: unknown };
  if (!result.data) throw new Error(`logIn ${email} failed: ${JSON.stringify(result.errors)}`);
  return result.data.logIn.token;
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
