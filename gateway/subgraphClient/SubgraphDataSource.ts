import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type GraphQLFormattedError,
  type SelectionNode,
} from 'graphql';
import type { ServiceTokenSigner } from '../../platform/auth/serviceTokens';
import type { Logger } from '../../platform/logger';
import { traceHeaders } from '../../platform/tracing/traceContext';
import type { GatewayContext } from '../context';
import { SubgraphCallFailure, toCallFailure, type FailureReason } from './callFailure';
import type { AdaptiveThrottling } from './AdaptiveThrottling';
import type { SubgraphClient } from './SubgraphClient';
import type { SubgraphClientMetrics } from './subgraphClientMetrics';
import type { RawAnswer } from './SubgraphInstance';

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;

/**
 * The gateway's link to one subgraph. Each call carries a short-lived token
 * the gateway signs for that subgraph (audience = the subgraph) with the
 * user in it, never the user's own JWT; the request id; and the trace
 * context. Nothing else from the client is forwarded.
 *
 * A subgraph that cannot answer does not fail the whole operation: the call
 * answers with SERVICE_UNAVAILABLE errors at the paths it would have filled
 * (the gateway adds the service name), so the rest of the data still arrives.
 *
 * An operation the subgraph refuses to shed load (SERVICE_UNAVAILABLE,
 * saga_backlog or overloaded) is throttled here from then on: a share of its
 * calls gets that refusal at once (see AdaptiveThrottling).
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly client: SubgraphClient,
    private readonly signer: ServiceTokenSigner,
    private readonly metrics: SubgraphClientMetrics,
    private readonly log: Logger,
    /** None: every call is sent. */
    private readonly throttling?: AdaptiveThrottling,
  ) {}

  async process(options: Options): Promise<GatewayGraphQLResponse> {
    const subgraph = this.client.subgraph;
    const { query, variables, operationName } = options.request;
    const refusal = query === undefined ? undefined : this.throttling?.refusalFor(query);
    // Counted apart, not as calls: they would pull the subgraph's latency figures down.
    if (refusal) {
      this.metrics.throttled.inc({ subgraph });
      return refusal;
    }
    const end = this.metrics.duration.startTimer({ subgraph });
    try {
      const answer = await this.client.post(
        JSON.stringify({ query, variables, operationName }),
        await this.headers(options),
        !/^\s*mutation\b/.test(query ?? ''),
      );
      const response = readAnswer(answer);
      if (query !== undefined) this.throttling?.record(query, response);
      const failed = !!response.errors?.length;
      end({ outcome: failed ? 'error' : 'ok' });
      if (failed) this.metrics.errors.inc({ subgraph, kind: 'graphql' });
      return response;
    } catch (error) {
      const failure = toCallFailure(error);
      if (query !== undefined) this.throttling?.failed(query);
      end({ outcome: 'failure' });
      this.metrics.errors.inc({ subgraph, kind: failure.reason });
      this.log.warn({ subgraph, reason: failure.reason, detail: failure.message }, 'subgraph call failed');
      return { errors: unavailableErrors(options, failure.reason) };
    }
  }

  private async headers({ context }: Options): Promise<Record<string, string>> {
    const token = await this.signer.sign({ audience: this.client.subgraph, scopes: ['*'], user: context?.user });
    return {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(context?.requestId ? { 'x-request-id': context.requestId } : {}),
      ...traceHeaders(),
    };
  }
}

/** A subgraph's JSON answer: a GraphQL response (also with 4xx, as Apollo answers invalid operations). */
function readAnswer(answer: RawAnswer): GatewayGraphQLResponse {
  let body: object;
  try {
    body = JSON.parse(answer.text) as object;
  } catch {
    throw new SubgraphCallFailure('bad_response', `HTTP ${answer.status}, not JSON: ${answer.text.slice(0, 200)}`);
  }
  const isResponse = typeof body === 'object' && body !== null && ('data' in body || 'errors' in body);
  if (!isResponse || (answer.status >= 300 && !('errors' in body))) {
    throw new SubgraphCallFailure('bad_response', `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
  }
  return body as GatewayGraphQLResponse;
}

/**
 * One error per place the failed call would have filled, in the subgraph's
 * terms (the gateway maps them to the client's paths): for an `_entities`
 * call the first field asked of each entity, else each root field.
 */
function unavailableErrors(options: Options, reason: FailureReason): GraphQLFormattedError[] {
  const error = (path?: (string | number)[]): GraphQLFormattedError => ({
    message: 'Service unavailable, try again shortly',
    ...(path ? { path } : {}),
    extensions: { code: 'SERVICE_UNAVAILABLE', reason },
  });
  const keys = rootKeys(options);
  const representations = options.request.variables?.representations;
  if (Array.isArray(representations)) {
    const field = keys.entityField;
    return representations.map((_, index) => error(field ? ['_entities', index, field] : ['_entities', index]));
  }
  return keys.root.length > 0 ? keys.root.map((key) => error([key])) : [error()];
}

/** The response keys of the operation's root fields, and the first field an `_entities` call asks for. */
function rootKeys(options: Options): { root: string[]; entityField?: string } {
  try {
    const planned = 'document' in options ? (options.document as DocumentNode | undefined) : undefined;
    const document = planned ?? parse(options.request.query ?? '');
    const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    if (operation?.kind !== Kind.OPERATION_DEFINITION) return { root: [] };
    const fields = (selections: readonly SelectionNode[]): FieldNode[] =>
      selections.flatMap((selection) => {
        if (selection.kind === Kind.FIELD) return selection.name.value === '__typename' ? [] : [selection];
        if (selection.kind === Kind.INLINE_FRAGMENT) return fields(selection.selectionSet.selections);
        return [];
      });
    const root = fields(operation.selectionSet.selections);
    const entities = root.find((field) => field.name.value === '_entities');
    const entityField = entities?.selectionSet ? fields(entities.selectionSet.selections)[0] : undefined;
    return {
      root: root.map((field) => field.alias?.value ?? field.name.value),
      entityField: entityField && (entityField.alias?.value ?? entityField.name.value),
    };
  } catch {
    return { root: [] };
  }
}
