import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { databaseLostOf, databaseTimeoutOf } from '../db/databaseFaults';
import { AppError, PUBLIC_CODES } from '../errors';
import type { Logger } from '../logger';

/** Postgres data exceptions that only bad input causes: 22001 too long, 22003 out of range, 22021 bad byte, 22P02 malformed. */
const INPUT_SQL_STATES = new Set(['22001', '22003', '22021', '22P02']);

/**
 * Keeps the errors a client may see (our AppErrors and GraphQL's own
 * validation/parse errors); anything else is logged with its detail and
 * answered as a bare INTERNAL_SERVER_ERROR, so no SQL, stack or URL leaks.
 */
export function createErrorFormatter(log: Logger, includeStack: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    const isPublic = original instanceof AppError || (typeof code === 'string' && PUBLIC_CODES.has(code));
    if (isPublic) {
      if (includeStack) return formatted;
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const timedOut = databaseTimeoutOf(original);
    if (timedOut) {
      // Cut short by the server (DB_STATEMENT_TIMEOUT_MS, ...): the pool goes on, the client may retry.
      log.warn({ sqlState: timedOut, path: formatted.path }, 'database statement timed out');
      return {
        message: 'The database did not answer in time, try again shortly',
        path: formatted.path,
        extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'database_timeout' },
      };
    }
    if (databaseLostOf(original)) {
      log.warn({ err: original, path: formatted.path }, 'database connection lost');
      return {
        message: 'The database is not reachable, try again shortly',
        path: formatted.path,
        extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'database_unavailable' },
      };
    }
    const sqlState = (original as { code?: unknown } | undefined)?.code;
    if (typeof sqlState === 'string' && INPUT_SQL_STATES.has(sqlState)) {
      // Input Postgres cannot take (a NUL byte, a malformed value) that no validation caught.
      log.warn({ sqlState, path: formatted.path }, 'input refused by the database');
      return { message: 'Invalid input', path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal server error',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
