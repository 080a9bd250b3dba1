import type { OrderOutcome } from './SagaHistory';

/** How the accepted orders went: placeOrder -> PAID latency and the rate they were PAID at. */
export interface LatencyFigures {
  paid: number;
  rejected: number;
  /** PAID orders per second, from the first one placed to the last one PAID. */
  completed_per_s: number;
  p50_ms: number;
  p99_ms: number;
}

export function latencyFigures(outcomes: OrderOutcome[]): LatencyFigures {
  const paid = outcomes.filter((order) => order.paidAt !== undefined);
  const latencies = paid.map((order) => order.paidAt! - order.pendingAt).sort((a, b) => a - b);
  const first = Math.min(...paid.map((order) => order.pendingAt));
  const last = Math.max(...paid.map((order) => order.paidAt!));
  return {
    paid: paid.length,
    rejected: outcomes.filter((order) => order.status === 'REJECTED').length,
    completed_per_s: paid.length > 0 ? round(paid.length / Math.max((last - first) / 1000, 0.001)) : 0,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
