import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';
import { fragmentsOf } from '../limits/fragmentsOf';
import type { LogInAccount } from './logInAccounts';
import type { OperationBudget } from './OperationBudget';

/**
 * Refuses an HTTP operation over its caller's budget (OperationBudget). It
 * runs at didResolveOperation, before the gateway plans or fetches anything.
 * Once the response is known, an account whose logIn returned data (a token)
 * has its failed tries forgotten: only its owner could have sent that.
 */
export function rateLimitPlugin(budget: OperationBudget): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let accounts: LogInAccount[] = [];
      return {
        async didResolveOperation({ document, operation, contextValue, request }) {
          if (!operation) return;
          accounts = await budget.charge(contextValue, operation, fragmentsOf(document), request.variables);
        },
        async willSendResponse({ response }) {
          if (accounts.length === 0 || response.body.kind !== 'single') return;
          const data = response.body.singleResult.data;
          if (!data) return;
          const succeeded = accounts.filter((account) => account.responseNames.some((name) => data[name] != null));
          await Promise.all(succeeded.map((account) => budget.logInSucceeded(account)));
        },
      };
    },
  };
}
