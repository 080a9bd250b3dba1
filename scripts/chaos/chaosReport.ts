import { errorRate, OPERATION_KINDS, type OperationStats } from './phaseLoad';
import type { ChaosResult } from './runChaos';

const KIND_TITLES = { placeOrder: 'placeOrder', catalog: 'catalog', myOrders: 'my orders', cancelOrder: 'cancelOrder' };
const CAUSES_SHOWN = 3;

/** The run's printed report: setup, error rates and orders per phase, totals, the invariants. */
export function renderChaosReport(result: ChaosResult, logKept: boolean): string {
  const lines: string[] = [];
  lines.push(`Chaos run (${result.mode}), namespace ${result.prefix}`);
  lines.push(`streams: ${result.streams.map((s) => `${s.name} R${s.replicas} on ${s.servers}`).join(', ')}`);
  for (const warning of result.warnings) lines.push(`WARNING: ${warning}`);
  lines.push('', 'Error rate clients saw, per phase (errors / requests), and the orders in it:', '');
  lines.push(
    table(
      [
        'phase',
        's',
        ...OPERATION_KINDS.map((k) => KIND_TITLES[k]),
        'offered',
        'placed',
        'refused',
        'retries',
        'max backlog',
      ],
      result.phases.map((p) => [
        p.name,
        p.seconds.toFixed(0),
        ...OPERATION_KINDS.map((k) => rate(p.operations[k])),
        String(p.ordersOffered),
        String(p.ordersPlaced),
        String(p.ordersRefused),
        String(p.retries),
        String(p.maxBacklog),
      ]),
    ),
  );
  const causes = result.phases.flatMap((p) => {
    const kinds = OPERATION_KINDS.filter((k) => p.operations[k].errors > 0).map(
      (k) => `${KIND_TITLES[k]} ${topCauses(p.operations[k])}`,
    );
    return kinds.length > 0 ? [`  ${p.name}: ${kinds.join('; ')}`] : [];
  });
  if (causes.length > 0) lines.push('', 'Errors by cause:', ...causes);
  const t = result.totals;
  const rejected = Object.entries(t.rejected)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const ended =
    result.sagaEnd.endedAfterMs === undefined
      ? `not all ended (${result.sagaEnd.unfinished} left)`
      : `${(result.sagaEnd.endedAfterMs / 1000).toFixed(1)} s after the load stopped`;
  lines.push(
    '',
    `Orders: offered ${t.offered}, taken ${t.taken}; given up refused ${t.gaveUpRefused}, failed ${t.gaveUpFailed}, ` +
      `other error ${t.otherErrors}; attempts refused (saga_backlog) ${t.attemptsRefused}, retries ${t.retries}`,
    `In the orders database: ${t.ordersInDatabase}: PAID ${t.paid}, REJECTED ${sumOf(t.rejected)} (${rejected || 'none'}), ` +
      `CANCELLED ${t.cancelled} (cancels accepted ${t.cancelsAccepted})`,
    `All ended: ${ended}`,
    `Time: start-up ${result.seconds.startUp.toFixed(0)} s, load ${result.seconds.load.toFixed(0)} s, ` +
      `drain and checks ${result.seconds.drain.toFixed(0)} s, in all ${result.seconds.total.toFixed(0)} s`,
    '',
    table(
      ['invariant', 'result', 'detail'],
      result.invariants.map((i) => [i.name, i.ok ? 'ok' : 'VIOLATED', i.detail]),
    ),
    '',
    result.ok ? 'All invariants hold.' : 'Invariants violated: exit 1.',
    logKept ? `Service logs: ${result.logFile}` : 'Service logs: removed (the run passed; --keep-logs keeps them)',
  );
  return lines.join('\n');
}

function rate(stats: OperationStats): string {
  if (stats.requests === 0) return '-';
  return `${(errorRate(stats) * 100).toFixed(1)}% (${stats.errors}/${stats.requests})`;
}

function topCauses(stats: OperationStats): string {
  return Object.entries(stats.causes)
    .sort(([, a], [, b]) => b - a)
    .slice(0, CAUSES_SHOWN)
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ');
}

function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** A Markdown table, padded to read in a terminal as well. */
function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
