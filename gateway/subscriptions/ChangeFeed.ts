import { DeliverPolicy, type ConsumerMessages, type JsMsg } from 'nats';
import type { EventBus } from '../../platform/events/EventBus';
import { parseEnvelope, type EventContract } from '../../platform/events/envelope';
import { streamOf, subjectOf } from '../../platform/events/naming';
import type { Logger } from '../../platform/logger';

/** A change an owning subgraph published, at its place in its domain's stream. */
export interface Change {
  domain: string;
  /** The stream sequence: the change's position, and with its domain the event id a client resumes from. */
  seq: number;
  type: string;
  data: unknown;
  /** When the change was committed, by the publisher: the start of the delivery latency. */
  changedAtMs: number;
}

/** An entity a change is about, under the key a subscription watches (`order:<id>`, `user:<id>`, `product:<id>`). */
export interface ChangedEntity {
  key: string;
  entityId: string;
}

/** One kind of change the gateway follows: its stream, its contract, and the entities each change names. */
export interface FollowedChange<T> {
  domain: string;
  contract: EventContract<T>;
  entities(data: T): ChangedEntity[];
  changedAt(data: T): string;
}

export type ChangeListener = (change: Change, entityId: string) => void;

const RETRY_MS = 1_000;
/** A replay reads the stream in batches of this many; a batch ends early when the stream has no more. */
const REPLAY_BATCH = 256;
const REPLAY_WAIT_MS = 1_000;

/**
 * Follows the changes the subgraphs publish, for this replica's subscribers:
 * one ordered (ephemeral, unacknowledged) consumer per followed kind, from the
 * moment it starts, so every replica sees every change and nothing is sticky.
 * A listener watches keys; a change reaches the listeners of the keys it names,
 * in stream order. `replay` reads the stream again from a position, for a
 * client that resumes with its last event id.
 */
export class ChangeFeed {
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private readonly positions = new Map<string, number>();
  private readonly running: ConsumerMessages[] = [];
  private stopped = false;

  constructor(
    private readonly bus: EventBus,
    private readonly followed: readonly FollowedChange<never>[],
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const follow of this.followed) void this.follow(follow);
  }

  /** Calls `listener` for every change naming one of `keys`; returns how to stop. */
  watch(keys: readonly string[], listener: ChangeListener): () => void {
    for (const key of keys) {
      let set = this.listeners.get(key);
      if (!set) this.listeners.set(key, (set = new Set()));
      set.add(listener);
    }
    return () => {
      for (const key of keys) {
        const set = this.listeners.get(key);
        set?.delete(listener);
        if (set?.size === 0) this.listeners.delete(key);
      }
    };
  }

  /**
   * Reads `domain`'s changes after `afterSeq` up to the end of the stream and
   * hands those naming one of `keys` to `listener`, in order. Changes the
   * stream no longer holds (past its retention) cannot be read again.
   */
  async replay(domain: string, afterSeq: number, keys: readonly string[], listener: ChangeListener): Promise<void> {
    const follows = this.followed.filter((f) => f.domain === domain);
    if (follows.length === 0) return;
    const wanted = new Set(keys);
    const stream = streamOf(this.bus.prefix, domain);
    const lastSeq = (await (await this.bus.manager()).streams.info(stream)).state.last_seq;
    if (lastSeq <= afterSeq) return;
    const js = await this.bus.jetstream();
    for (const follow of follows) {
      const consumer = await js.consumers.get(stream, {
        filterSubjects: subjectOf(this.bus.prefix, follow.contract.type),
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: afterSeq + 1,
      });
      // Batches until the last one the stream held when the replay began; later ones come live.
      let done = false;
      while (!done) {
        done = true;
        for await (const message of await consumer.fetch({ max_messages: REPLAY_BATCH, expires: REPLAY_WAIT_MS })) {
          const read = this.read(follow, message);
          if (read) {
            for (const entity of read.entities) if (wanted.has(entity.key)) listener(read.change, entity.entityId);
          }
          done = message.info.pending === 0 || message.seq >= lastSeq;
          if (done) break;
        }
      }
    }
  }

  /** The last position in `domain`'s stream this feed has passed on (undefined until it knows). */
  position(domain: string): number | undefined {
    return this.positions.get(domain);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running.map((messages) => messages.close().catch(() => undefined)));
  }

  /** Follows one kind from now on, again from where it was after a failure, until stopped. */
  private async follow(follow: FollowedChange<never>): Promise<void> {
    const subject = subjectOf(this.bus.prefix, follow.contract.type);
    while (!this.stopped) {
      try {
        const js = await this.bus.jetstream();
        const stream = streamOf(this.bus.prefix, follow.domain);
        const position = this.positions.get(follow.domain);
        const consumer = await js.consumers.get(stream, {
          filterSubjects: subject,
          ...(position === undefined
            ? { deliver_policy: DeliverPolicy.New }
            : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: position + 1 }),
        });
        const messages = await consumer.consume();
        this.running.push(messages);
        // Where "from now on" began, so a subscription opened before the first change still has an id to resume from.
        const lastSeq = (await (await this.bus.manager()).streams.info(stream)).state.last_seq;
        this.advance(follow.domain, lastSeq);
        this.log.info({ subject }, 'following changes');
        for await (const message of messages) {
          this.advance(follow.domain, message.seq);
          const read = this.read(follow, message);
          if (read) this.dispatch(read.change, read.entities);
        }
        this.running.splice(this.running.indexOf(messages), 1);
      } catch (error) {
        // The stream may not exist yet (its producer has not started) or NATS is away: try again.
        if (!this.stopped) this.log.warn({ err: (error as Error).message, subject }, 'change feed interrupted');
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  private advance(domain: string, seq: number): void {
    this.positions.set(domain, Math.max(this.positions.get(domain) ?? 0, seq));
  }

  private read(
    follow: FollowedChange<never>,
    message: JsMsg,
  ): { change: Change; entities: ChangedEntity[] } | undefined {
    try {
      const envelope = parseEnvelope(message.data);
      const data = follow.contract.read(envelope);
      const changedAtMs = Date.parse(follow.changedAt(data));
      return {
        change: { domain: follow.domain, seq: message.seq, type: envelope.type, data, changedAtMs },
        entities: follow.entities(data),
      };
    } catch (error) {
      // A producer's bug, never a subscriber's: say so once per message and go on.
      this.log.error({ err: (error as Error).message, seq: message.seq }, 'change not readable');
      return undefined;
    }
  }

  private dispatch(change: Change, entities: ChangedEntity[]): void {
    for (const entity of entities) {
      const set = this.listeners.get(entity.key);
      if (!set) continue;
      for (const listener of set) listener(change, entity.entityId);
    }
  }
}
