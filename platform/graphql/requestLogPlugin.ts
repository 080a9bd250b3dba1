import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../logger';

/** Codes that say the client asked for something wrong, not that the service failed. */
const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

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
          const details = errors.map((error) => ({
            message: error.message,
            code: error.extensions?.code,
            path: error.path,
            service: error.extensions?.serviceName,
            stack: clientError(error.extensions?.code) ? undefined : error.originalError?.stack,
          }));
          const serverFault = details.some((d) => !clientError(d.code));
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
  return typeof code === 'string' && CLIENT_CODES.has(code);
}
