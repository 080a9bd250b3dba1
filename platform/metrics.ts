import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The process's Prometheus registry and the metrics every service shares. */
export interface Metrics {
  registry: Registry;
  dbQueries: Counter<'service' | 'origin'>;
  graphqlRequests: Counter<'service' | 'outcome'>;
  graphqlDuration: Histogram<'service'>;
}

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
    graphqlRequests: new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL operations handled, by outcome (ok or error)',
      labelNames: ['service', 'outcome'],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time to answer one GraphQL operation',
      labelNames: ['service'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
