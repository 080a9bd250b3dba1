import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from '../metrics';

/** Counts operations by outcome and times them. */
export function metricsPlugin(metrics: Metrics, service: string): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const end = metrics.graphqlDuration.startTimer({ service });
      return {
        async willSendResponse({ errors }) {
          end();
          metrics.graphqlRequests.inc({ service, outcome: errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}
