import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * A subscription sent as a plain HTTP request is refused with BAD_REQUEST
 * before any plan: the gateway serves subscriptions over WebSocket and SSE
 * only (the subgraphs that declare the fields never execute them).
 */
export function subscriptionsOverHttpRefused(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            'Subscribe over WebSocket (graphql-ws) or SSE (Accept: text/event-stream) on /graphql',
            { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
          );
        },
      };
    },
  };
}
