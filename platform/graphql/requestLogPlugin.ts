import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../logger';
import { CLIENT_ERROR_CODES, isLoadShedding } from '../errors';

/**
 * Logs every operation that failed, once, with each error's full detail
 * (message, code, path, the subgraph it came from): the response a client
 * sees may be masked, the log is not. The request id and user id come from
 * the request's log scope (runWithRequestLog); variables are never logged,
 * so no password or token typed into them reaches the log.
 */
export function requestLogPlugin(log: Logger): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName, request }) {
          const details = errors.map((error) => {
            // A bad request or a deliberate refusal under load is not a fault to debug: no stack.
            const expected = clientError(error.extensions?.code) || isLoadShedding(error.extensions);
            return {
              message: error.message,
              code: error.extensions?.code,
              reason: error.extensions?.reason,
              path: error.path,
              service: error.extensions?.serviceName,
              stack: expected ? undefined : error.originalError?.stack,
            };
          });
          const serverFault = details.some((d) => !clientError(d.code) && !isLoadShedding(d));
          log[serverFault ? 'warn' : 'info'](
            { operation: operationName ?? request.operationName ?? null, errors: details },
            'request failed',
          );
        },
      };
    },
  };
}

function clientError(code: unknown): boolean {
  return typeof code === 'string' && CLIENT_ERROR_CODES.has(code);
}
