import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../platform/logger';
import { createErrorFormatter } from '../platform/graphql/formatError';

/**
 * Subgraph errors arrive with their own public codes and pass through; a
 * subgraph that cannot be reached becomes SERVICE_UNAVAILABLE without its URL;
 * everything else is masked by the platform's formatter.
 */
export function createGatewayErrorFormatter(log: Logger, includeStack: boolean) {
  const format = createErrorFormatter(log, includeStack);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
      if (/request to .* failed|ECONNREFUSED|aborted|timeout|fetch failed/i.test(formatted.message)) {
        log.warn({ detail: formatted.message, path: formatted.path }, 'subgraph unreachable');
        return {
          message: 'A service is unavailable, try again shortly',
          path: formatted.path,
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        };
      }
    }
    const masked = format(formatted, error);
    if (masked.extensions?.serviceName && !includeStack) {
      const { serviceName: _service, ...extensions } = masked.extensions;
      return { ...masked, extensions };
    }
    return masked;
  };
}
