import type { ApolloServerPlugin } from '@apollo/server';
import { AppError } from '../../platform/errors';
import type { PersistedOperations } from './manifest';

/** An operation outside the manifest, with PERSISTED_ONLY on: HTTP 400. */
export class PersistedQueryNotInListError extends AppError {
  constructor() {
    super(
      'PERSISTED_QUERY_NOT_IN_LIST',
      "This gateway serves only the client's persisted operations, and this operation is not one of them",
      // Apollo takes `http` off the extensions and applies it to the response.
      { http: { status: 400 } },
    );
  }
}

/**
 * Refuses every operation whose text is not in the manifest, by its
 * `queryHash` (sha256 of the text, whether sent in full or fetched by hash).
 * It must throw at didResolveOperation: Apollo answers an error thrown from
 * an earlier hook (didResolveSource) with a 500. It is listed before the
 * other plugins, whose errors would otherwise win, and it refuses before a
 * query plan, a subgraph call or an APQ registration.
 */
export function persistedOnlyPlugin(operations: PersistedOperations): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ queryHash }) {
          if (!operations.has(queryHash)) throw new PersistedQueryNotInListError();
        },
      };
    },
  };
}
