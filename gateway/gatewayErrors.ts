import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../platform/logger';
import { createErrorFormatter } from '../platform/graphql/formatError';

/**
 * The platform's masking (public codes pass, anything else becomes a bare
 * INTERNAL_SERVER_ERROR, logged in full with the request id), keeping the
 * `serviceName` the gateway puts on a subgraph's errors, so a client and an
 * operator can tell which service failed. Subgraph URLs never appear: an
 * unreachable subgraph is answered by SubgraphDataSource without one.
 */
export function createGatewayErrorFormatter(log: Logger, includeStack: boolean) {
  const format = createErrorFormatter(log, includeStack);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const masked = format(formatted, error);
    const serviceName = formatted.extensions?.serviceName;
    if (typeof serviceName !== 'string') return masked;
    return { ...masked, extensions: { ...masked.extensions, serviceName } };
  };
}
