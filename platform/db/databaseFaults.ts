/**
 * SQLSTATEs of a statement the server cut short by a time limit: 57014 query_canceled (statement_timeout,
 * also while it waited for a lock), 55P03 lock_not_available (lock_timeout, NOWAIT) and 25P03
 * idle_in_transaction_session_timeout. Each is the database protecting itself or the others from a slow
 * or stuck piece of work, never bad input: the request is answered SERVICE_UNAVAILABLE (try again),
 * and an event handler that meets one is retried with a delay like any other transient fault.
 */
const TIMEOUT_SQL_STATES = new Set(['57014', '55P03', '25P03']);

/** The SQLSTATE when `error` (pg's error, or TypeORM's QueryFailedError around it) is a database timeout. */
export function databaseTimeoutOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && TIMEOUT_SQL_STATES.has(code) ? code : undefined;
}
