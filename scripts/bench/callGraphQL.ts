import type { Pool } from 'undici';
import { postGraphQL } from '../postGraphQL';

/**
 * What a GraphQL call through the gateway gave: its data, and why not all of
 * it as one short cause (both for a partial answer).
 */
export type CallOutcome<T> = { data: T; failure?: string } | { data?: undefined; failure: string };

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One operation as a user. A failure is named
 * `HTTP <status> <code> [<reason>]: <message>`, or the transport error, so
 * that failures can be counted by cause.
 */
export async function callGraphQL<T>(pool: Pool, path: string, token: string, body: string): Promise<CallOutcome<T>> {
  const posted = await postGraphQL<T>(pool, path, body, token, REQUEST_TIMEOUT_MS);
  if (posted.kind === 'transport') return { failure: `${posted.error.name}: ${errorCause(posted.error)}` };
  if (posted.kind === 'notJson') return { failure: `HTTP ${posted.status}: ${posted.text}` };
  const { status, body: answer } = posted;
  const error = answer.errors?.[0];
  if (!error && answer.data) return { data: answer.data };
  const reason = error?.extensions?.reason ? ` ${error.extensions.reason}` : '';
  const failure = `HTTP ${status} ${error?.extensions?.code ?? '-'}${reason}: ${(error?.message ?? 'no data').slice(0, 120)}`;
  return answer.data ? { data: answer.data, failure } : { failure };
}

/** undici names the transport error in `code`; a wrapped one carries it in `cause`. */
function errorCause(error: Error): string {
  const { code, cause } = error as { code?: string; cause?: { code?: string; message?: string } };
  if (cause) return `${error.message} (${cause.code ?? cause.message})`;
  return code ? `${error.message} (${code})` : error.message;
}

/** Outcomes counted by cause, e.g. `{ "HTTP 200 SERVICE_UNAVAILABLE saga_backlog: ...": 12 }`. */
export function countByCause(failures: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const failure of failures) counts[failure] = (counts[failure] ?? 0) + 1;
  return counts;
}
