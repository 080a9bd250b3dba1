import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { ServiceTokenSigner } from '../platform/auth/serviceTokens';
import { traceHeaders } from '../platform/tracing/traceContext';
import type { GatewayContext } from './context';

/**
 * Calls one subgraph with a short-lived token the gateway signs for it
 * (audience = the subgraph) carrying the user, never the user's own JWT, and
 * with the request id for the logs and the trace context (the gateway's fetch
 * span; global fetch is not auto-instrumented). Nothing else from the client
 * is forwarded.
 */
export class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly signer: ServiceTokenSigner,
    timeoutMs: number,
  ) {
    super({
      url,
      fetcher: (input, init) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) } as RequestInit) as never,
    });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const token = await this.signer.sign({ audience: this.subgraph, scopes: ['*'], user: context?.user });
    request.http?.headers.set('authorization', `Bearer ${token}`);
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
    for (const [name, value] of Object.entries(traceHeaders())) request.http?.headers.set(name, value);
  }
}
