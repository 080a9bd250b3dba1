import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';
import { fragmentsOf } from '../limits/fragmentsOf';
import type { OperationBudget } from './OperationBudget';

/**
 * Refuses an HTTP operation over its caller's budget (OperationBudget). It
 * runs at didResolveOperation, before the gateway plans or fetches anything.
 */
export function rateLimitPlugin(budget: OperationBudget): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          if (!operation) return;
          const fragments = fragmentsOf(document);
          await budget.charge(contextValue, operation, fragments);
        },
      };
    },
  };
}
