import type { SagaCost } from './sagaCost';
import type { SagaResult } from './sagaLoad';
import type { SagaScenarios } from './sagaScenarios';
import type { SubscriptionFigures } from './subscriptionLoad';
import { causes, renderSagaScenarios } from './scenarioReport';

/** One measured window: one gateway, one operation, one round. */
export interface Sample {
  round: number;
  gateway: 'ours' | 'apollo' | 'hive';
  operation: 'Q1' | 'Q2' | 'Q3';
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  cpu_s_per_1k: number;
  peak_rss_mb?: number;
}

/** Medians over the rounds, with the spread of requests/s. */
export interface RunSummary {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  rps_min: number;
  rps_max: number;
  cpu_s_per_1k: number;
  peak_rss_mb: number;
}

export interface BenchResults {
  machine: Record<string, unknown>;
  runs: Record<string, Record<string, RunSummary>>;
  ratios: Record<
    string,
    { ours_vs_apollo: number; ours_vs_hive: number; p99_ours_vs_apollo: number; p99_ours_vs_hive: number }
  >;
  /** The parts a run left out (--saga-only, --saga-scenarios-only) are absent. */
  sql_per_q2?: Record<string, number>;
  saga?: SagaResult & { cost: SagaCost };
  saga_scenarios?: SagaScenarios;
  subscriptions?: SubscriptionFigures;
  samples: Sample[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function summarise(samples: Sample[]): Pick<BenchResults, 'runs' | 'ratios'> {
  const runs: BenchResults['runs'] = {};
  for (const sample of samples) {
    runs[sample.gateway] ??= {};
    if (runs[sample.gateway][sample.operation]) continue;
    const same = samples.filter((s) => s.gateway === sample.gateway && s.operation === sample.operation);
    const rps = same.map((s) => s.rps);
    runs[sample.gateway][sample.operation] = {
      rps: round(median(rps)),
      p50_ms: round(median(same.map((s) => s.p50_ms))),
      p99_ms: round(median(same.map((s) => s.p99_ms))),
      errors: same.reduce((sum, s) => sum + s.errors, 0),
      rps_min: round(Math.min(...rps)),
      rps_max: round(Math.max(...rps)),
      cpu_s_per_1k: round(median(same.map((s) => s.cpu_s_per_1k)), 3),
      peak_rss_mb: round(Math.max(...same.map((s) => s.peak_rss_mb ?? 0))),
    };
  }
  const ratios: BenchResults['ratios'] = {};
  for (const operation of Object.keys(runs.ours ?? {})) {
    const ours = runs.ours[operation];
    const apollo = runs.apollo?.[operation];
    const hive = runs.hive?.[operation];
    ratios[operation] = {
      ours_vs_apollo: apollo ? round(ours.rps / apollo.rps, 2) : 0,
      ours_vs_hive: hive ? round(ours.rps / hive.rps, 2) : 0,
      p99_ours_vs_apollo: apollo ? round(ours.p99_ms / apollo.p99_ms, 2) : 0,
      p99_ours_vs_hive: hive ? round(ours.p99_ms / hive.p99_ms, 2) : 0,
    };
  }
  return { runs, ratios };
}

export function renderMarkdown(results: BenchResults): string {
  const lines = [
    `# Gateway benchmark (${results.machine.quick ? 'quick, not for comparison' : 'full'})`,
    '',
    `${String(results.machine.cpus)} CPUs (${String(results.machine.cpu_model)}), Node ${String(results.machine.node)}, ${String(results.machine.date)}`,
  ];
  // --saga-only and --saga-scenarios-only compare no gateways.
  if (Object.keys(results.runs).length > 0) lines.push(...renderGatewayRuns(results));
  if (results.sql_per_q2) {
    lines.push(
      '',
      `SQL statements per Q2 request, by page size: ${Object.entries(results.sql_per_q2)
        .map(([size, n]) => `${size}: ${n}`)
        .join(', ')}`,
    );
  }
  if (results.saga) lines.push(...renderSaga(results.saga));
  if (results.saga_scenarios) lines.push(...renderSagaScenarios(results.saga_scenarios));
  if (results.subscriptions) lines.push(...renderSubscriptions(results.subscriptions));
  lines.push('');
  return lines.join('\n');
}

function renderGatewayRuns(results: BenchResults): string[] {
  const lines = [
    '',
    '| gateway | op | req/s (median) | req/s min–max | p50 ms | p99 ms | errors | CPU s / 1k req | peak RSS MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [gateway, operations] of Object.entries(results.runs)) {
    for (const [operation, run] of Object.entries(operations)) {
      lines.push(
        `| ${gateway} | ${operation} | ${run.rps} | ${run.rps_min}–${run.rps_max} | ${run.p50_ms} | ${run.p99_ms} | ${run.errors} | ${run.cpu_s_per_1k} | ${run.peak_rss_mb} |`,
      );
    }
  }
  lines.push('', '| op | ours / apollo (req/s) | ours / hive (req/s) | p99 ours / apollo | p99 ours / hive |');
  lines.push('| --- | ---: | ---: | ---: | ---: |');
  for (const [operation, ratio] of Object.entries(results.ratios)) {
    lines.push(
      `| ${operation} | ${ratio.ours_vs_apollo} | ${ratio.ours_vs_hive} | ${ratio.p99_ours_vs_apollo} | ${ratio.p99_ours_vs_hive} |`,
    );
  }
  return lines;
}

function renderSaga(saga: NonNullable<BenchResults['saga']>): string[] {
  const { cost } = saga;
  return [
    '',
    `Saga${warmUpNote(saga.warm_up)}: ${saga.offered_per_s} orders/s offered, ${saga.accepted} accepted and ${saga.refused} refused (${causes(saga.refusals)}), ${saga.completed_per_s} completed/s, placeOrder -> PAID p50 ${saga.p50_ms} ms, p99 ${saga.p99_ms} ms, ${saga.unfinished} unfinished`,
    '',
    'Cost of one accepted order (the refused ones included), by process (total: the system, without the bench):',
    '',
    `| | ${Object.keys(cost.cpu_ms_per_order).join(' | ')} |`,
    `| --- |${' ---: |'.repeat(Object.keys(cost.cpu_ms_per_order).length)}`,
    `| CPU ms | ${Object.values(cost.cpu_ms_per_order).join(' | ')} |`,
    `| SQL statements | ${Object.keys(cost.cpu_ms_per_order)
      .map((key) => cost.sql_per_order[key] ?? '')
      .join(' | ')} |`,
  ];
}

function warmUpNote(warmUp: SagaResult['warm_up']): string {
  return warmUp ? ` (after ${warmUp.seconds} s at ${warmUp.offered_per_s} orders/s to warm up, not counted)` : '';
}

function renderSubscriptions(s: SubscriptionFigures): string[] {
  return [
    '',
    '## Subscriptions',
    '',
    `${s.websocket_subscribers} WebSocket and ${s.sse_subscribers} SSE subscribers (opened in ${s.open_s} s), ${s.orders} orders flowing:`,
    '',
    '| delivery p50 / p99 | order frames | orders missing their end | product frames | errors | gateway CPU | per 1,000 subscribers | RSS before / open | per idle subscriber |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${s.delivery_p50_ms} / ${s.delivery_p99_ms} ms | ${s.order_frames} | ${s.orders_missing_their_end} | ${s.product_frames} | ${s.errors} | ${s.gateway_cpu_ms_per_s} ms/s | ${s.gateway_cpu_ms_per_s_per_1000_subscribers} ms/s | ${s.gateway_rss_mb_before} / ${s.gateway_rss_mb_open} MB | ${s.kb_per_idle_subscriber} KB |`,
  ];
}
