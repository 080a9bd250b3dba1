import { SUBGRAPH_NAMES } from '../../platform/config';
import type { BenchSubgraphs } from './benchServices';
import { cpuSeconds, cpuSecondsOfCommand } from './processStats';

/** What one accepted order cost, by process: CPU milliseconds, and SQL statements by subgraph. */
export interface SagaCost {
  cpu_ms_per_order: Record<string, number>;
  sql_per_order: Record<string, number>;
}

interface Snapshot {
  cpuSeconds: Record<string, number>;
  statements: Record<string, number>;
}

/**
 * Where the saga's time goes: read before and after the run from /proc (the
 * gateway, each subgraph, every Postgres and NATS server process on the
 * machine: run nothing else against them meanwhile) and from each subgraph's
 * db_queries_total (all origins: requests, consumers, relay). `total` is the
 * system's: the bench process's own CPU (the load, the key server) is shown apart.
 */
export async function measureSagaCost<T>(
  subgraphs: BenchSubgraphs,
  gatewayPid: number,
  run: () => Promise<T & { accepted: number }>,
): Promise<T & { cost: SagaCost }> {
  const snapshot = async (): Promise<Snapshot> => {
    const cpu: Record<string, number> = { gateway: cpuSeconds(gatewayPid) };
    const statements: Record<string, number> = {};
    for (const name of SUBGRAPH_NAMES) {
      cpu[name] = cpuSeconds(subgraphs.pid[name]);
      statements[name] = await statementCount(subgraphs.baseUrl[name]);
    }
    cpu.postgres = cpuSecondsOfCommand('postgres');
    cpu.nats = cpuSecondsOfCommand('nats-server');
    cpu.bench = process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;
    return { cpuSeconds: cpu, statements };
  };
  const before = await snapshot();
  const result = await run();
  const after = await snapshot();
  const orders = Math.max(result.accepted, 1);
  const perOrder = (a: Record<string, number>, b: Record<string, number>, scale: number) =>
    Object.fromEntries(Object.keys(a).map((key) => [key, Math.round(((b[key] - a[key]) * scale * 10) / orders) / 10]));
  const cpu = perOrder(before.cpuSeconds, after.cpuSeconds, 1000);
  // The system's own cost: the bench's load (and its key server) is listed, not added.
  const system = Object.entries(cpu).filter(([name]) => name !== 'bench');
  cpu.total = Math.round(system.reduce((sum, [, ms]) => sum + ms, 0) * 10) / 10;
  const sql = perOrder(before.statements, after.statements, 1);
  sql.total = Math.round(Object.values(sql).reduce((sum, n) => sum + n, 0) * 10) / 10;
  return { ...result, cost: { cpu_ms_per_order: cpu, sql_per_order: sql } };
}

async function statementCount(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(/^db_queries_total\{[^}]*\} (\d+)/gm)) total += Number(match[1]);
  return total;
}
