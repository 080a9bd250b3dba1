import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg } from 'nats';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import { inConsumerSpan, recordSpanError } from '../tracing/traceContext';
import { parseEnvelope, RetryLaterError, type EventEnvelope } from './envelope';
import type { EventBus } from './EventBus';
import type { EventMetrics } from './eventMetrics';
import { recordProcessed, wasProcessed } from './inbox';
import { KeyedQueue } from './KeyedQueue';
import { publishDeadLetter } from './deadLetters';
import { domainSubjects, streamOf } from './naming';
import { natsErrorMessage } from './natsErrorMessage';
import { DEFAULT_RETRY_POLICY, onFailure, type RetryPolicy } from './retrySchedule';

/**
 * Runs the handler's effect in one transaction together with the inbox
 * record; returns false (and changes nothing) when the event was handled before.
 */
export type Commit = (work: (tx: EntityManager) => Promise<void>) => Promise<boolean>;
export type EventHandler = (event: EventEnvelope, commit: Commit) => Promise<void>;

export interface ConsumerSpec {
  /** Durable consumer name, unique per service and stream: `inventory-on-orders`. */
  name: string;
  /** The producing domain whose stream is read: `orders`. */
  domain: string;
  /** By event type; other types on the stream are acknowledged and skipped. */
  handlers: Record<string, EventHandler>;
  /**
   * Event types whose handling gives back or settles what an order holds (a release, a refund, a
   * charge in flight, a sale): a transient fault is retried for as long as it takes, never
   * dead-lettered by age, or money or stock would stay held for an order already over. The others
   * move an order forward and are retried until ORDER_DEADLINE, when the saga ends the order itself.
   */
  retryUntilDone?: readonly string[];
}

export interface ConsumerOptions {
  /** How long after it was stored a failing event is retried (ORDER_DEADLINE), and how (retrySchedule). */
  retry: Pick<RetryPolicy, 'windowMs'> & Partial<RetryPolicy>;
  /** Messages handled at once; those about the same subject (order) still one after another. Default 1. */
  concurrency?: number;
  /** How long an unacknowledged delivery waits before JetStream redelivers it. */
  ackWaitMs: number;
  /** Test-only fault: die after the commit and before the ack. */
  crashAfterCommit?: boolean;
}

/**
 * A durable JetStream pull consumer with explicit acks. Each message ends
 * explicitly: ack when done (or done before), nak with a growing delay for a
 * transient fault (see retrySchedule: retried for as long as the order
 * deadline allows), and for a message that can never be handled, or one still
 * failing when that window is over, a copy goes to the dead-letter stream and
 * the message is terminated. Up to `concurrency` messages are handled at once;
 * messages about the same subject (an order) one after another, in the order
 * they were delivered, so an aggregate's events are not reordered here.
 */
export class EventConsumer {
  private messages?: ConsumerMessages;
  private running = false;
  private runDone?: Promise<void>;
  private stopped!: Promise<void>;
  private signalStopped!: () => void;
  private readonly queue: KeyedQueue;
  private readonly retryPolicy: RetryPolicy;

  constructor(
    private readonly spec: ConsumerSpec,
    private readonly dataSource: DataSource,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly metrics: EventMetrics,
    private readonly options: ConsumerOptions,
  ) {
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    // process() ends every message itself; anything escaping it is a bug to see in the log.
    this.queue = new KeyedQueue(options.concurrency ?? 1, (error) =>
      log.error({ err: (error as Error).message, consumer: spec.name }, 'event handling escaped its error handling'),
    );
  }

  /** Starts in the background: a service serves requests while NATS is still away. */
  start(): void {
    this.running = true;
    this.stopped = new Promise((resolve) => (this.signalStopped = resolve));
    this.runDone = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signalStopped?.();
    // Not awaited: nats.js resolves close() only for messages someone iterates; run() ends either way.
    void this.messages?.close().catch(() => undefined);
    await this.runDone;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        // While NATS is away this waits, but a stop does not wait for NATS.
        await Promise.race([this.bus.ready(), this.stopped]);
        if (!this.running) return;
        await this.ensureConsumer();
        const js = await this.bus.jetstream();
        const consumer = await js.consumers.get(streamOf(this.bus.prefix, this.spec.domain), this.spec.name);
        // A little more than is handled at once, so a free slot finds its next message waiting;
        // not much more: the ack timer of a buffered message runs while it waits its turn.
        const messages = await consumer.consume({ max_messages: Math.max(16, 2 * (this.options.concurrency ?? 1)) });
        this.messages = messages;
        if (!this.running) {
          void messages.close().catch(() => undefined);
          return;
        }
        for await (const message of messages) {
          // Stopping: what is still buffered is left unacknowledged, and JetStream redelivers it.
          if (!this.running) break;
          const parsed = parse(message);
          const receivedAt = Date.now();
          // Keyed by the aggregate (the order); an unparseable message by itself: it goes to the dead letters at once.
          const key = 'event' in parsed ? parsed.event.subject : `seq:${message.seq}`;
          await this.queue.push(key, () => this.handle(message, parsed, receivedAt));
        }
        // Closed by stop(): the messages already taken are finished (acked or naked) before stop() returns.
        await this.queue.drain();
      } catch (error) {
        await this.queue.drain();
        if (!this.running) return;
        this.log.warn({ err: (error as Error).message, consumer: this.spec.name }, 'consumer failed; restarting');
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 1_000)), this.stopped]);
      }
    }
  }

  private async ensureConsumer(): Promise<void> {
    await this.bus.ensureStream(this.spec.domain, 'consumer');
    const jsm = await this.bus.manager();
    const stream = streamOf(this.bus.prefix, this.spec.domain);
    // No delivery bound in JetStream: a message that reaches it is dropped from the consumer without a
    // trace. The bound is the retry window, applied here, where the message can be dead-lettered.
    const settings = { max_deliver: -1, ack_wait: nanos(this.options.ackWaitMs) };
    try {
      await jsm.consumers.info(stream, this.spec.name);
      await jsm.consumers.update(stream, this.spec.name, settings);
    } catch (error) {
      if (!/consumer not found/i.test((error as Error).message)) throw error;
      await jsm.consumers.add(stream, {
        durable_name: this.spec.name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: domainSubjects(this.bus.prefix, this.spec.domain),
        max_ack_pending: 1_000,
        ...settings,
      });
    }
  }

  /** In a span that continues the producer's trace (the relay put its traceparent in the headers). */
  private handle(message: JsMsg, parsed: Parsed, receivedAt: number): Promise<void> {
    const attributes = {
      'messaging.system': 'nats',
      'messaging.operation.type': 'process',
      'messaging.destination.name': message.subject,
      'messaging.consumer.group.name': this.spec.name,
      'messaging.message.id': message.headers?.get('Nats-Msg-Id') ?? '',
    };
    const traceparent =
      message.headers?.get('traceparent') || ('event' in parsed ? parsed.event.traceparent : undefined);
    return inConsumerSpan(`process ${message.subject}`, traceparent, attributes, () =>
      this.process(message, parsed, receivedAt),
    );
  }

  private async process(message: JsMsg, parsed: Parsed, receivedAt: number): Promise<void> {
    let event: EventEnvelope | undefined;
    try {
      if ('error' in parsed) throw parsed.error;
      event = parsed.event;
      const handler = this.spec.handlers[event.type];
      if (!handler) {
        this.count(event.type, 'skipped');
        message.ack();
        return;
      }
      // A message that may have waited for a while gets a fresh ack timer before its work starts.
      // Only then: the progress signal is one more message to NATS, and most wait for no time at all.
      // Its wait is unknown (it may have sat in the client's buffer while the loop waited for a free
      // slot), but it was delivered after it was stored: the time since then bounds it.
      const storedAt = message.info.timestampNanos / 1e6;
      const waitedMs = Math.max(Date.now() - storedAt, Date.now() - receivedAt);
      if (waitedMs > this.options.ackWaitMs / 4) message.working();
      const eventId = event.id;
      // Handled before (a redelivery after a lost ack): skip the work before commit too. Only a
      // redelivery is looked up, which saves a round trip per event; a first delivery that is a
      // duplicate (re-published after the stream's dedupe window) is caught by the inbox at commit.
      if (message.info.redelivered && (await this.alreadyProcessed(eventId))) {
        message.ack();
        this.count(event.type, 'duplicate');
        return;
      }
      // With no delivery bound in JetStream, a message whose handling kills the process or hangs past
      // the ack wait never reaches fail(): past its window it is dead-lettered before it runs again.
      const window = this.policyFor(event.type).windowMs;
      if (message.info.redelivered && Date.now() - storedAt > window) {
        const reason = `not handled after ${message.info.deliveryCount} deliveries in ${Math.round(window / 1000)} s (the handler never ended)`;
        await this.deadLetter(message, event.type, reason, {
          consumer: this.spec.name,
          eventId,
          type: event.type,
          deliveries: message.info.deliveryCount,
        });
        return;
      }
      let first = true;
      await handler(event, async (work) => {
        first = await this.dataSource.transaction(async (tx) => {
          if (!(await recordProcessed(tx, this.spec.name, eventId))) return false;
          await work(tx);
          return true;
        });
        return first;
      });
      if (this.options.crashAfterCommit) process.kill(process.pid, 'SIGKILL');
      message.ack();
      this.count(event.type, first ? 'done' : 'duplicate');
    } catch (error) {
      recordSpanError(error as Error);
      await this.fail(message, event, error as Error);
    }
  }

  private policyFor(type: string): RetryPolicy {
    return this.spec.retryUntilDone?.includes(type) ? { ...this.retryPolicy, windowMs: Infinity } : this.retryPolicy;
  }

  private async fail(message: JsMsg, event: EventEnvelope | undefined, error: Error): Promise<void> {
    const type = event?.type ?? 'unparseable';
    const deliveries = message.info.deliveryCount;
    const ageMs = Date.now() - message.info.timestampNanos / 1e6;
    const context = { consumer: this.spec.name, eventId: event?.id, type, deliveries, err: error.message };
    const outcome = onFailure(error, { deliveries, ageMs }, this.policyFor(type));
    if (outcome.kind === 'retry') {
      // An event that came before the one it follows is the normal way of events from two streams:
      // info, not warn (it happens for many orders under load, and a warning would cry wolf).
      const level = error instanceof RetryLaterError ? 'info' : 'warn';
      this.log[level]({ ...context, retryInMs: outcome.delayMs }, 'event handling failed; will retry');
      this.count(type, 'retried');
      message.nak(outcome.delayMs);
      return;
    }
    await this.deadLetter(message, type, outcome.reason, context);
  }

  /** A copy to the dead-letter stream, then term; if the copy cannot be written, the message comes back. */
  private async deadLetter(
    message: JsMsg,
    type: string,
    reason: string,
    context: { eventId?: string; [field: string]: unknown },
  ): Promise<void> {
    try {
      await publishDeadLetter(await this.bus.jetstream(), this.bus.prefix, {
        consumer: this.spec.name,
        message,
        type,
        eventId: context.eventId,
        reason,
      });
    } catch (publishError) {
      // Not dead-lettered, so not terminated either: it comes back and gets another chance.
      this.log.error({ ...context, publishError: natsErrorMessage(publishError) }, 'dead-lettering failed');
      message.nak(this.retryPolicy.maxDelayMs);
      return;
    }
    this.log.error({ ...context, reason }, 'event moved to the dead letters');
    this.metrics.deadLettered.inc({ consumer: this.spec.name, type });
    this.count(type, 'dead_lettered');
    // No reason: nats-server 2.9 ignores a term that carries one and redelivers the message.
    message.term();
  }

  private alreadyProcessed(eventId: string): Promise<boolean> {
    return wasProcessed(this.dataSource, this.spec.name, eventId);
  }

  private count(type: string, outcome: string): void {
    this.metrics.consumed.inc({ consumer: this.spec.name, type, outcome });
  }
}

type Parsed = { event: EventEnvelope } | { error: Error };

/** Parsed once, when taken from the stream: its subject orders it, its handler reads it. */
function parse(message: JsMsg): Parsed {
  try {
    return { event: parseEnvelope(message.data) };
  } catch (error) {
    return { error: error as Error };
  }
}
