import { request, type Dispatcher } from 'undici';
import type { ServiceTokenSigner } from '../auth/serviceTokens';
import { AppError, ServiceUnavailableError } from '../errors';
import { traceHeaders } from '../tracing/traceContext';

export interface ServiceCall {
  /** The callee's name: the token's audience. */
  service: string;
  url: string;
  scopes: string[];
  query: string;
  variables?: Record<string, unknown>;
  requestId?: string;
  timeoutMs?: number;
}

/**
 * One GraphQL call from this service to another, authenticated as this
 * service (DESIGN.md "Security model"). Transport failures and timeouts become
 * SERVICE_UNAVAILABLE; the callee's own public errors are passed on as they are.
 */
export async function callService<T>(signer: ServiceTokenSigner, call: ServiceCall): Promise<T> {
  const token = await signer.sign({ audience: call.service, scopes: call.scopes });
  const timeoutMs = call.timeoutMs ?? 5_000;
  let response: Dispatcher.ResponseData;
  try {
    // undici's request on its keep-alive global pool: on the placeOrder path, and lighter than fetch
    // (no WHATWG streams, one write per request).
    response = await request(call.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(call.requestId ? { 'x-request-id': call.requestId } : {}),
        // undici is not instrumented: the callee continues our trace from these.
        ...traceHeaders(),
      },
      body: JSON.stringify({ query: call.query, variables: call.variables }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new ServiceUnavailableError(`The ${call.service} service did not answer`);
  }
  // Read (or fail to read) in full either way: an unread body would hold its connection.
  const body = (await response.body.json().catch(() => ({}))) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (code === 'BAD_USER_INPUT' || code === 'NOT_FOUND' || code === 'CONFLICT') {
      throw new AppError(code, error.message);
    }
    throw new ServiceUnavailableError(`The ${call.service} service failed`);
  }
  const ok = response.statusCode >= 200 && response.statusCode < 300;
  if (!ok || body.data === undefined) throw new ServiceUnavailableError(`The ${call.service} service failed`);
  return body.data;
}
