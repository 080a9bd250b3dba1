import type { ApolloGateway } from '@apollo/gateway';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FormattedExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values';
import type { UserIdentity } from '../../platform/auth/identity';
import { ServiceUnavailableError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { GatewayContext } from '../context';
import type { GatewayConfig } from '../gatewayConfig';
import { fragmentsOf } from '../limits/fragmentsOf';
import { refuseOverCost } from '../limits/limitsPlugin';
import { LimitError, operationShapeRule } from '../limits/operationLimits';
import { refuseOverlongStrings } from '../limits/stringLengths';
import { operationHash, type PersistedOperations } from '../persistedOperations/manifest';
import { PersistedQueryNotInListError } from '../persistedOperations/persistedOnlyPlugin';
import type { OperationBudget } from '../rateLimits/OperationBudget';
import type { ChangeFeed } from './ChangeFeed';
import type { ChangeQueue } from './ChangeQueue';
import { deliveryQuery, ENTITY_ID_VARIABLE, type DeliveryQuery } from './deliveryQuery';
import { openFrames } from './SubscriptionFrames';
import { SUBSCRIPTION_FIELDS } from './subscriptionFields';
import type { SubscriptionMetrics, Transport } from './subscriptionMetrics';

/** A subscription as a transport received it, with who sent it. */
export interface SubscriptionRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  user?: UserIdentity;
  ip: string;
  requestId: string;
  transport: Transport;
  /** The last event id the client saw (SSE `Last-Event-ID`, graphql-ws `extensions.lastEventId`): resume after it. */
  lastEventId?: string;
  /** When the subscriber's token expires: the subscription ends then. */
  expiresAtMs?: number;
  /** The subscriptions open on the client's connection, counted against its cap. */
  connection: { open: number };
}

/** Either the refusal, sent up front, or the frames. */
export type OpenedSubscription =
  | { errors: readonly GraphQLError[] }
  | { frames: AsyncGenerator<FormattedExecutionResult, void, undefined> };

type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Serves the supergraph's subscriptions (orderUpdated, myOrdersUpdated,
 * productsUpdated) from the changes the subgraphs publish (ChangeFeed). A
 * subscription passes the checks every operation passes (validation, depth,
 * aliases, cost, rate limit) and the caps on open subscriptions; then each
 * change it watches is resolved as a query for that entity through the
 * gateway's query plan, with the subscriber's identity, so the owning
 * subgraph authorizes every frame (SubscriptionFrames).
 */
export class SubscriptionService {
  private readonly openByCaller = new Map<string, number>();
  private readonly queues = new Set<ChangeQueue>();

  constructor(
    private readonly gateway: ApolloGateway,
    private readonly feed: ChangeFeed,
    private readonly budget: OperationBudget,
    private readonly config: Pick<GatewayConfig, 'limits' | 'subscriptions'>,
    private readonly metrics: SubscriptionMetrics,
    private readonly formatError: ErrorFormatter,
    private readonly log: Logger,
    /** PERSISTED_ONLY's manifest: a subscription outside it is refused, as any operation is over HTTP. */
    private readonly safelist?: PersistedOperations,
  ) {}

  async subscribe(request: SubscriptionRequest): Promise<OpenedSubscription> {
    try {
      return { frames: await this.start(request) };
    } catch (error) {
      const refusal = error instanceof GraphQLError ? error : this.internal(error);
      this.metrics.refused.inc({ code: String(refusal.extensions.code ?? 'INTERNAL_SERVER_ERROR') });
      return { errors: [refusal] };
    }
  }

  /** Ends every open subscription (the gateway is stopping): each stream completes. */
  closeAll(): void {
    for (const queue of this.queues) queue.end();
  }

  private async start(request: SubscriptionRequest) {
    const schema = this.gateway.schema;
    if (!schema) throw new ServiceUnavailableError('The gateway is starting, try again shortly');
    if (this.safelist && !this.safelist.has(operationHash(request.query))) throw new PersistedQueryNotInListError();
    const { document, operation } = this.parseAndValidate(schema, request);
    const fragments = fragmentsOf(document);
    refuseOverlongStrings(document, operation, request.variables ?? {}, this.config.limits.maxStringLength);
    const variables = coerceVariables(schema, operation, request.variables ?? {});
    refuseOverCost(schema, operation, fragments, variables, this.config.limits.maxCost);
    await this.budget.charge(request, operation, fragments);

    const root = rootField(operation.selectionSet, fragments);
    const fieldName = root.name.value;
    const field = SUBSCRIPTION_FIELDS[fieldName];
    const definition = schema.getSubscriptionType()?.getFields()[fieldName];
    if (!field || !definition) throw new GraphQLError(`Subscription.${fieldName} is not served`);
    const args = getArgumentValues(definition, root, variables);
    const keys = field.watch(args, request.user);
    const delivery = deliveryQuery(document, operation, root, field.queryField, { withHistory: !!field.orderChanges });
    const release = this.hold(request);
    let queue: ChangeQueue | undefined;
    try {
      const opened = await openFrames(
        {
          feed: this.feed,
          read: (entityId) => this.read(request, delivery, variables, entityId),
          format: (result, eventId) => this.format(result, eventId),
          metrics: this.metrics,
          transport: request.transport,
        },
        {
          fieldName,
          field,
          delivery,
          root,
          fragments,
          keys,
          args,
          lastEventId: request.lastEventId,
          expiresAtMs: request.expiresAtMs,
          maxQueuedChanges: this.config.subscriptions.maxQueuedChanges,
        },
        () => {
          if (queue) this.queues.delete(queue);
          release();
        },
      );
      queue = opened.queue;
      this.queues.add(queue);
      return opened.frames;
    } catch (error) {
      release();
      throw error;
    }
  }

  private parseAndValidate(schema: GraphQLSchema, request: SubscriptionRequest) {
    let document: DocumentNode;
    try {
      document = parse(request.query, { maxTokens: this.config.limits.maxTokens });
    } catch (error) {
      // The transports format it like any response: withLimitErrors names a token-limit refusal MAX_TOKENS_EXCEEDED.
      const syntax = error as GraphQLError;
      throw new GraphQLError(syntax.message, { nodes: syntax.nodes, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    }
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      throw new GraphQLError('Name the operation to run (operationName)', { extensions: { code: 'BAD_REQUEST' } });
    }
    if (operation.operation !== 'subscription') {
      throw new GraphQLError('WebSocket and SSE serve subscriptions; send queries and mutations as HTTP POST', {
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    const errors = validate(schema, document, [...specifiedRules, operationShapeRule(this.config.limits)]);
    if (errors.length > 0) {
      const limit = errors.find((e) => e instanceof LimitError || e.originalError instanceof LimitError);
      if (limit) throw limit.originalError ?? limit;
      const first = errors[0];
      throw new GraphQLError(first.message, { nodes: first.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    }
    return { document, operation };
  }

  /** Counts the subscription against its connection's and its caller's caps; returns how to give it back. */
  private hold(request: SubscriptionRequest): () => void {
    const caller = request.user ? `user:${request.user.id}` : `ip:${request.ip}`;
    const { maxPerConnection, maxPerUser } = this.config.subscriptions;
    const byCaller = this.openByCaller.get(caller) ?? 0;
    if (request.connection.open >= maxPerConnection) {
      throw new LimitError(
        'MAX_SUBSCRIPTIONS_EXCEEDED',
        `A connection may hold ${maxPerConnection} subscriptions`,
        maxPerConnection,
      );
    }
    if (byCaller >= maxPerUser) {
      throw new LimitError('MAX_SUBSCRIPTIONS_EXCEEDED', `A user may hold ${maxPerUser} subscriptions`, maxPerUser);
    }
    request.connection.open += 1;
    this.openByCaller.set(caller, byCaller + 1);
    this.metrics.open.inc({ transport: request.transport });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      request.connection.open -= 1;
      const left = (this.openByCaller.get(caller) ?? 1) - 1;
      if (left === 0) this.openByCaller.delete(caller);
      else this.openByCaller.set(caller, left);
      this.metrics.open.dec({ transport: request.transport });
    };
  }

  /** The selection resolved for one entity through the gateway's query plan, as the subscriber. */
  private async read(
    request: SubscriptionRequest,
    delivery: DeliveryQuery,
    variables: Record<string, unknown>,
    entityId: string,
  ): Promise<ExecutionResult> {
    const contextValue: GatewayContext = { user: request.user, requestId: request.requestId, ip: request.ip };
    const requestContext = {
      request: {
        query: delivery.text,
        operationName: delivery.operationName,
        variables: { ...variables, [ENTITY_ID_VARIABLE]: entityId },
      },
      document: delivery.document,
      source: delivery.text,
      queryHash: delivery.hash,
      operationName: delivery.operationName ?? null,
      operation: delivery.document.definitions[0],
      schema: this.gateway.schema,
      // @apollo/gateway hands `context` to the data sources (SubgraphDataSource signs the user in it).
      context: contextValue,
      contextValue,
      logger: this.log,
      metrics: {},
    };
    return (await this.gateway.executor(requestContext as never)) as ExecutionResult;
  }

  /** A frame as a client may see it: errors masked like any response's, and its event id. */
  private format(result: ExecutionResult, eventId: string): FormattedExecutionResult {
    const errors = result.errors?.map((error) => this.formatError(error.toJSON(), error));
    return { data: result.data, ...(errors ? { errors } : {}), extensions: { eventId } };
  }

  private internal(error: unknown): GraphQLError {
    this.log.error({ err: error }, 'subscription failed to start');
    return new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}

function coerceVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, given: Record<string, unknown>) {
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], given);
  if (errors?.length) throw new GraphQLError(errors[0].message, { extensions: { code: 'BAD_USER_INPUT' } });
  return coerced ?? {};
}

/** The subscription's one root field, through fragments (validation made sure there is exactly one). */
function rootField(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): FieldNode {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) return selection;
    const inner =
      selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]?.selectionSet;
    if (inner) return rootField(inner, fragments);
  }
  throw new GraphQLError('A subscription selects one field', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}
