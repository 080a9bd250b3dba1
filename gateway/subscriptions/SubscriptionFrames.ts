import type { ExecutionResult, FieldNode, FormattedExecutionResult, FragmentDefinitionNode } from 'graphql';
import { GraphQLError } from 'graphql';
import { AppError, ForbiddenError } from '../../platform/errors';
import type { ChangeFeed } from './ChangeFeed';
import { ChangeQueue, type QueuedChange } from './ChangeQueue';
import { HIDDEN_HISTORY_KEY, HIDDEN_STATUS_KEY, responseKeysOf, type DeliveryQuery } from './deliveryQuery';
import { formatEventId, parseEventId, type EventPositions } from './eventId';
import { FINAL_STATUSES, orderChangeValues, type SubscriptionField } from './subscriptionFields';
import type { SubscriptionMetrics, Transport } from './subscriptionMetrics';

/** The fields an order change carries itself: a frame shows the change's values, the rest is read at delivery. */
const ORDER_CHANGE_FIELDS: ReadonlySet<string> = new Set(['status', 'rejectionReason', 'updatedAt']);

/** What a subscription's frames need from the service: the feed, a read through the query plan, the masking. */
export interface FrameSource {
  feed: ChangeFeed;
  /** The selection resolved for one entity, through the query plan, as the subscriber. */
  read(entityId: string): Promise<ExecutionResult>;
  format(result: ExecutionResult, eventId: string): FormattedExecutionResult;
  metrics: SubscriptionMetrics;
  transport: Transport;
}

export interface FramesPlan {
  fieldName: string;
  field: SubscriptionField;
  delivery: DeliveryQuery;
  root: FieldNode;
  fragments: Record<string, FragmentDefinitionNode>;
  keys: string[];
  args: Record<string, unknown>;
  lastEventId?: string;
  expiresAtMs?: number;
  maxQueuedChanges: number;
}

/**
 * One subscription's life: it watches its keys first (so no change falls
 * between the first read and the feed), resumes after the last event id from
 * the streams, sends the first frame ("the order now"), then one frame per
 * change in stream order, until its order ends, its token expires, the client
 * leaves or the gateway stops (`queue.end()`).
 */
export async function openFrames(
  source: FrameSource,
  plan: FramesPlan,
  onEnd: () => void,
): Promise<{ frames: AsyncGenerator<FormattedExecutionResult, void, undefined>; queue: ChangeQueue }> {
  const resume = parseEventId(plan.lastEventId);
  const positions: EventPositions = new Map();
  for (const domain of plan.field.domains) {
    const at = resume?.get(domain) ?? source.feed.position(domain);
    if (at !== undefined) positions.set(domain, at);
  }
  const queue = new ChangeQueue(plan.maxQueuedChanges);
  const unwatch = source.feed.watch(plan.keys, (change, entityId) => queue.push({ change, entityId }));
  const end = () => {
    queue.end();
    unwatch();
    onEnd();
  };
  try {
    const state = new FrameState(source, plan, positions);
    let first: FormattedExecutionResult | undefined;
    let endsAtFirst = false;
    if (plan.field.initialEntityId && !resume) {
      ({ first, endsAtFirst } = await state.first(plan.field.initialEntityId(plan.args)));
    }
    if (resume) {
      for (const domain of plan.field.domains) {
        const after = resume.get(domain);
        if (after === undefined) continue;
        await source.feed.replay(domain, after, plan.keys, (change, entityId) => queue.replayed({ change, entityId }));
      }
    }
    if (plan.expiresAtMs !== undefined) queue.endAt(plan.expiresAtMs);
    return { frames: endingOnReturn(state.frames(queue, first, endsAtFirst, end), queue), queue };
  } catch (error) {
    end();
    throw error;
  }
}

class FrameState {
  /** Per entity, the last place in its life a frame showed (an order's history entry). */
  private readonly entitySeq = new Map<string, number>();
  private readonly changeKeys: Map<string, string>;
  /** The entities shown for the change at the latest position. */
  private readonly shownAtPosition = new Set<string>();

  constructor(
    private readonly source: FrameSource,
    private readonly plan: FramesPlan,
    private readonly positions: EventPositions,
  ) {
    this.changeKeys = plan.field.orderChanges
      ? responseKeysOf(plan.root.selectionSet, new Map(Object.entries(plan.fragments)), ORDER_CHANGE_FIELDS)
      : new Map();
  }

  async first(entityId: string): Promise<{ first: FormattedExecutionResult; endsAtFirst: boolean }> {
    const result = await this.source.read(entityId);
    const entity = this.entityOf(result);
    // Refused up front, as `order(id)` would answer: someone else's order, an unknown id, a subgraph down.
    if (!entity) throw refusalOf(result);
    const status = entity[HIDDEN_STATUS_KEY] as string | undefined;
    const history = entity[HIDDEN_HISTORY_KEY] as { status: string }[] | undefined;
    let endsAtFirst = false;
    if (status !== undefined && history) {
      // The place of the status this frame shows: the history, read a moment later, may already be further on.
      // An order never takes the same status twice, so the status names its entry.
      const shown = history.findIndex((entry) => entry.status === status);
      this.entitySeq.set(entityId, shown === -1 ? history.length : shown + 1);
      endsAtFirst = FINAL_STATUSES.has(status);
    }
    return { first: this.frame(result), endsAtFirst };
  }

  async *frames(
    queue: ChangeQueue,
    first: FormattedExecutionResult | undefined,
    endsAtFirst: boolean,
    end: () => void,
  ): AsyncGenerator<FormattedExecutionResult, void, undefined> {
    try {
      if (first) yield first;
      if (endsAtFirst) return;
      for (;;) {
        const next = await queue.next();
        if (!next) return;
        const frame = await this.deliver(next);
        if (!frame) continue;
        this.source.metrics.latency.observe(
          { transport: this.source.transport },
          (Date.now() - next.change.changedAtMs) / 1000,
        );
        this.source.metrics.delivered.inc({ field: this.plan.fieldName });
        yield frame.result;
        if (frame.ends) return;
      }
    } finally {
      end();
    }
  }

  /** The frame a change becomes, or none: already shown, or not the subscriber's to see. */
  private async deliver({
    change,
    entityId,
  }: QueuedChange): Promise<{ result: FormattedExecutionResult; ends: boolean } | undefined> {
    const before = this.positions.get(change.domain) ?? 0;
    // A replayed change the live feed also brought: once is enough. One change may name several entities.
    if (change.seq < before || (change.seq === before && this.shownAtPosition.has(entityId))) return undefined;
    if (change.seq > before) this.shownAtPosition.clear();
    this.shownAtPosition.add(entityId);
    this.positions.set(change.domain, change.seq);
    let ends = false;
    let values: Record<string, unknown> | undefined;
    if (this.plan.field.orderChanges) {
      const own = orderChangeValues(change);
      if (own.seq <= (this.entitySeq.get(entityId) ?? 0)) return undefined;
      this.entitySeq.set(entityId, own.seq);
      values = own.values;
      ends = this.plan.field.initialEntityId !== undefined && FINAL_STATUSES.has(String(own.values.status));
    }
    const result = await this.source.read(entityId);
    const entity = this.entityOf(result);
    // The owning subgraph did not hand it to this subscriber (not theirs, or gone): no frame.
    if (!entity) return undefined;
    if (values) for (const [key, name] of this.changeKeys) if (key in entity) entity[key] = values[name];
    return { result: this.frame(result), ends };
  }

  private entityOf(result: ExecutionResult): Record<string, unknown> | null {
    const data = result.data as Record<string, Record<string, unknown> | null> | null | undefined;
    return data?.[this.plan.delivery.responseKey] ?? null;
  }

  /** Takes out what the gateway added for itself and stamps the event id. */
  private frame(result: ExecutionResult): FormattedExecutionResult {
    const entity = this.entityOf(result);
    if (entity) {
      delete entity[HIDDEN_HISTORY_KEY];
      delete entity[HIDDEN_STATUS_KEY];
    }
    return this.source.format(result, formatEventId(this.positions));
  }
}

/**
 * The frames, ended at once when the client leaves. An async generator's
 * return() waits for the generator's next yield, and an idle subscription
 * waits in queue.next() for a change that may never come: without ending the
 * queue first, a client that left would hold its watch and its place in the
 * caps until then.
 */
function endingOnReturn(
  frames: AsyncGenerator<FormattedExecutionResult, void, undefined>,
  queue: ChangeQueue,
): AsyncGenerator<FormattedExecutionResult, void, undefined> {
  return Object.assign(Object.create(frames) as AsyncGenerator<FormattedExecutionResult, void, undefined>, {
    next: () => frames.next(),
    throw: (error: unknown) => frames.throw(error),
    return: (value: void) => {
      queue.end();
      return frames.return(value);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  });
}

/**
 * Why the first read gave no entity: the owning subgraph's error (a subgraph down, ...), or none.
 * None is someone else's order or an unknown id, which `order(id)` answers alike (null, after the
 * same query): one refusal for both, so a subscription cannot tell a stranger which ids exist either.
 */
function refusalOf(result: ExecutionResult): GraphQLError {
  const error = result.errors?.[0];
  if (!error) return new ForbiddenError('You may not follow this order');
  if (error instanceof AppError) return error;
  return new GraphQLError(error.message, {
    extensions: error.extensions,
    originalError: error.originalError ?? undefined,
  });
}
