import type { Pool } from 'undici';

/** A GraphQL response body as the gateway sends it. */
export interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: string; reason?: string } }[];
}

/**
 * What one POST gave: the parsed body with its HTTP status, a body that was
 * not JSON (its start, for the report), or no answer at all (the transport error).
 */
export type PostedGraphQL<T> =
  | { kind: 'answer'; status: number; body: GraphQLBody<T> }
  | { kind: 'notJson'; status: number; text: string }
  | { kind: 'transport'; error: Error };

/**
 * One GraphQL request over a keep-alive undici pool: the load tools' client
 * (lighter than fetch on a machine whose 2 cores the services need). The bench
 * and the chaos run each name what came back their own way.
 */
export async function postGraphQL<T>(
  pool: Pool,
  path: string,
  body: string,
  token: string | undefined,
  timeoutMs: number,
): Promise<PostedGraphQL<T>> {
  let status: number;
  let text: string;
  try {
    const response = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    return { kind: 'transport', error: error as Error };
  }
  try {
    return { kind: 'answer', status, body: JSON.parse(text) as GraphQLBody<T> };
  } catch {
    return { kind: 'notJson', status, text: text.slice(0, 120) };
  }
}
