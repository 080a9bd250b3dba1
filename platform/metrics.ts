import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The process's Prometheus registry and the metrics every service shares. */
export interface Metrics {
  registry: Registry;
  dbQueries: Counter<'service' | 'origin'>;
  dbQueryDuration: Histogram<'origin' | 'outcome'>;
  graphqlRequests: Counter<'service' | 'operation' | 'outcome'>;
  graphqlDuration: Histogram<'service' | 'operation' | 'outcome'>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    dbQueries: new Counter({
      name: 'db_queries_total',
      help: 'SQL statements sent to Postgres, by origin: request or background (events, relay)',
      labelNames: ['service', 'origin'],
      registers: [registry],
    }),
    dbQueryDuration: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Time from sending a SQL statement to its result, by origin and outcome (ok or error)',
      labelNames: ['origin', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlRequests: new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL operations handled, by operation name and outcome (ok or error)',
      labelNames: ['service', 'operation', 'outcome'],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time to answer one GraphQL operation, by operation name and outcome',
      labelNames: ['service', 'operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Distinct operation labels a process keeps before it folds new ones into "other". */
const MAX_OPERATIONS = 200;

/**
 * The `operation` label: the operation's name, "anonymous" without one.
 * Clients choose names, so the label's cardinality is bounded: only
 * well-formed names, and at most MAX_OPERATIONS of them per process.
 */
export function operationLabel(name: string | null | undefined, seen: Set<string>): string {
  if (!name) return 'anonymous';
  if (!OPERATION_NAME.test(name)) return 'other';
  if (seen.has(name)) return name;
  if (seen.size >= MAX_OPERATIONS) return 'other';
  seen.add(name);
  return name;
}
