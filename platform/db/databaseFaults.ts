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

/**
 * SQLSTATEs of a session the server ended or would not start: 57P01 admin_shutdown (also
 * pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up), and the
 * 08 class (connection exceptions).
 */
const LOST_SESSION_SQL_STATE = /^(57P0[123]|08...)$/;
/** Socket errors of a server that is away, and pg's own words for a connection that ended under it. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const LOST_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

/**
 * Whether `error` says the database is away rather than that the request was wrong: the server is
 * down or restarting, or it ended this session (an idle-in-transaction timeout ends the session, and
 * the transaction's next statement finds its connection gone: TypeORM then says the query runner is
 * released). The client may retry once the database is back.
 */
export function databaseLostOf(error: unknown): boolean {
  const { code, message, name } = (error ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && (LOST_SESSION_SQL_STATE.test(code) || UNREACHABLE_CODES.has(code))) return true;
  if (name === 'QueryRunnerAlreadyReleasedError') return true;
  return typeof message === 'string' && LOST_CONNECTION_MESSAGES.some((words) => message.includes(words));
}
