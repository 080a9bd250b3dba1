import type { Pool } from 'undici';

/**
 * What a GraphQL call through the gateway gave: its data, and why not all of
 * it as one short cause (both for a partial answer).
 */
export type CallOutcome<T> = { data: T; failure?: string } | { data?: undefined; failure: string };

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: string; reason?: string } }[];
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One operation as a user (undici's own request on a keep-alive pool: a
 * lighter client than fetch, which shares the 2 cores with the services).
 * A failure is named `HTTP <status> <code> [<reason>]: <message>`, or the
 * transport error, so that failures can be counted by cause.
 */
export async function callGraphQL<T>(pool: Pool, path: string, token: string, body: string): Promise<CallOutcome<T>> {
  let statusCode: number;
  let text: string;
  try {
    const response = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    statusCode = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    return { failure: `${(error as Error).name}: ${errorCause(error as Error)}` };
  }
  let answer: GraphQLBody<T>;
  try {
    answer = JSON.parse(text) as GraphQLBody<T>;
  } catch {
    return { failure: `HTTP ${statusCode}: ${text.slice(0, 120)}` };
  }
  const error = answer.errors?.[0];
  if (!error && answer.data) return { data: answer.data };
  const reason = error?.extensions?.reason ? ` ${error.extensions.reason}` : '';
  const failure = `HTTP ${statusCode} ${error?.extensions?.code ?? '-'}${reason}: ${(error?.message ?? 'no data').slice(0, 120)}`;
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
