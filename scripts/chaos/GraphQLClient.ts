import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { Pool } from 'undici';
import { postGraphQL } from '../postGraphQL';

/** What a client saw: data, GraphQL errors (with or without data), or no GraphQL answer at all. */
export type Outcome<T> =
  | { kind: 'ok'; data: T }
  | { kind: 'graphql'; code: string; reason?: string; message: string }
  | { kind: 'transport'; cause: string };

const REQUEST_TIMEOUT_MS = 20_000;

/**
 * The typed client documents over one keep-alive pool to the gateway. A pool whose connections the gateway's death broke connects again on the
 * next request.
 */
export class GraphQLClient {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly texts = new Map<unknown, string>();

  constructor(url: string) {
    const parsed = new URL(url);
    this.pool = new Pool(parsed.origin, { connections: 128 });
    this.path = parsed.pathname;
  }

  async execute<T, V>(document: TypedDocumentNode<T, V>, variables: V, token?: string): Promise<Outcome<T>> {
    let query = this.texts.get(document);
    if (query === undefined) {
      query = print(document);
      this.texts.set(document, query);
    }
    const posted = await postGraphQL<T>(
      this.pool,
      this.path,
      JSON.stringify({ query, variables }),
      token,
      REQUEST_TIMEOUT_MS,
    );
    if (posted.kind === 'transport') return { kind: 'transport', cause: transportCause(posted.error) };
    if (posted.kind === 'notJson') return { kind: 'transport', cause: `HTTP ${posted.status}, not JSON` };
    const { status, body } = posted;
    const [error] = body.errors ?? [];
    if (error) {
      return {
        kind: 'graphql',
        code: error.extensions?.code ?? `HTTP ${status}`,
        reason: error.extensions?.reason,
        message: error.message ?? '',
      };
    }
    if (body.data == null) return { kind: 'transport', cause: `HTTP ${status}, no data` };
    return { kind: 'ok', data: body.data };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** A short, countable name for a failed request: `ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, ... */
function transportCause(error: Error): string {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return code ?? cause?.code ?? error.name;
}

/** An error as its cause is counted: `SERVICE_UNAVAILABLE/saga_backlog`, `ECONNREFUSED`, ... */
export function causeOf(outcome: Outcome<unknown>): string {
  if (outcome.kind === 'transport') return outcome.cause;
  if (outcome.kind === 'graphql') return outcome.reason ? `${outcome.code}/${outcome.reason}` : outcome.code;
  return 'ok';
}
