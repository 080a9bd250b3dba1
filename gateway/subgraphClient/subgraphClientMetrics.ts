import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SubgraphClientMetrics {
  duration: Histogram<'subgraph' | 'outcome'>;
  errors: Counter<'subgraph' | 'kind'>;
  retries: Counter<'subgraph'>;
  deduplicated: Counter<'subgraph'>;
  breakerState: Gauge<'subgraph' | 'instance'>;
  breakerOpened: Counter<'subgraph'>;
  throttled: Counter<'subgraph'>;
}

export function createSubgraphClientMetrics(registry: Registry): SubgraphClientMetrics {
  return {
    duration: new Histogram({
      name: 'subgraph_fetch_duration_seconds',
      help: 'Time of one gateway call to a subgraph, by subgraph and outcome: ok, error (GraphQL errors in the answer), failure (no usable answer)',
      labelNames: ['subgraph', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'subgraph_fetch_errors_total',
      help: 'Gateway calls to a subgraph that failed, by kind: graphql (errors in the answer), unreachable, timeout, circuit_open, bad_status, bad_response',
      labelNames: ['subgraph', 'kind'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'subgraph_fetch_retries_total',
      help: 'Queries sent a second time after a connection error, by subgraph',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    deduplicated: new Counter({
      name: 'subgraph_fetch_deduplicated_total',
      help: 'Queries that shared the answer of an identical query (same caller) already in flight, by subgraph',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'subgraph_circuit_state',
      help: 'Circuit breaker of each subgraph instance: 0 closed, 1 open, 2 half-open (one probe call let through)',
      labelNames: ['subgraph', 'instance'],
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'subgraph_fetch_throttled_total',
      help: "Calls answered with the subgraph's own load-shedding refusal without being sent (adaptive throttling), by subgraph",
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    breakerOpened: new Counter({
      name: 'subgraph_circuit_opened_total',
      help: 'Times a subgraph instance breaker opened',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
  };
}
