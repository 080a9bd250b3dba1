import type { ApolloServerPlugin } from '@apollo/server';
import { operationLabel, type Metrics } from '../metrics';

/** Counts operations by name and outcome and times them. */
export function metricsPlugin(metrics: Metrics, service: string): ApolloServerPlugin {
  const seen = new Set<string>();
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ errors, operationName, request }) {
          const operation = operationLabel(operationName ?? request.operationName, seen);
          const labels = { service, operation, outcome: errors?.length ? 'error' : 'ok' };
          metrics.graphqlDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
          metrics.graphqlRequests.inc(labels);
        },
      };
    },
  };
}
