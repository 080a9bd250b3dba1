import type { SessionTimeouts } from './databaseSettings';

/**
 * The URL with the timeouts as startup options (`options=-c statement_timeout=...`), so every
 * connection made from it has them from its first statement: the pool's, and the outbox relay's own
 * LISTEN and publishing sessions, which connect with the data source's URL. Set by the server, not
 * by a client timer: a cancelled statement frees its locks and backend at once, and the connection
 * stays usable, where a client that gives up on a query leaves it running. Options the operator put
 * in the URL are kept; the timeouts come after them and so win.
 */
export function withSessionTimeouts(
  url: string,
  timeouts: Omit<SessionTimeouts, 'migrationStatementTimeoutMs'>,
): string {
  const parsed = new URL(url);
  const ours = [
    `-c statement_timeout=${timeouts.statementTimeoutMs}`,
    `-c idle_in_transaction_session_timeout=${timeouts.idleInTransactionTimeoutMs}`,
  ];
  const theirs = parsed.searchParams.get('options');
  parsed.searchParams.set('options', [theirs, ...ours].filter(Boolean).join(' '));
  return parsed.toString();
}
