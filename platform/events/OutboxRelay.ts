import { headers, type MsgHdrs } from 'nats';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import type { EventMetrics } from './eventMetrics';
import type { EventEnvelope } from './envelope';
import type { EventBus } from './EventBus';
import { natsErrorMessage } from './natsErrorMessage';
import { subjectOf } from './naming';
import { MARK_OUTCOMES, OUTBOX_CHANNEL, READ_UNPUBLISHED, type NamedStatement } from './outbox';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** A safety net under LISTEN/NOTIFY: rows are looked for at least this often. */
  pollIntervalMs?: number;
  publishTimeoutMs?: number;
  /** Counts each statement the relay runs on its own connection (db_queries_total). */
  countStatement?: () => void;
}

/**
 * Only one relay per database publishes at a time, which keeps the order:
 * it holds this session-level advisory lock on a connection of its own (not
 * the pool's: closing it is what lets go of the lock, so no pooled connection
 * can ever keep it) for as long as it publishes without a failure; replicas
 * wait, each on its own connection, and ask again at each wake-up. Held per
 * session, not per batch: a batch is then two statements (read, mark sent)
 * instead of six.
 */
const RELAY_LOCK_KEY = 7_340_111;
export const RELAY_CONNECTION_NAME = 'outbox-relay';

/**
 * Every published row leaves a dead entry in the partial index of unsent rows
 * until a vacuum, which on a large outbox comes after hundreds of thousands of
 * updates. A bitmap scan (the planner's choice for a backlog it expects to be
 * small) visits the heap page of each of them at every batch, so the relay
 * slowed down with every event it sent. A plain index scan in seq order marks
 * each dead entry it meets as such, and later scans skip it: the relay's own
 * connection is told to walk the index (these settings apply to it alone).
 */
// Set once the connection is open, not as startup options: PgBouncer refuses a connection whose
// startup packet carries `options` unless told to ignore them.
const WALK_THE_INDEX = 'SET enable_bitmapscan = off; SET enable_sort = off';

/**
 * The relay runs its statements (its lock here, the outbox's in outbox.ts)
 * for as long as its connection lives: each is prepared on it once (by
 * name), as planning them at every batch cost Postgres more than running them.
 */
const TAKE_LOCK: NamedStatement = { name: 'outbox-relay-lock', text: 'SELECT pg_try_advisory_lock($1) AS locked' };

const MAX_BACKOFF_MS = 10_000;

/**
 * Publishes outbox rows to JetStream in the order they were written (a batch
 * pipelined, see publishBatch for a partial failure), each
 * with Nats-Msg-Id = event id so a re-publish is dropped by the stream, and
 * marks them sent only after the PubAck. When NATS is down it retries with
 * backoff; nothing is skipped, so an aggregate's events stay in order.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private listener?: Client;
  private wake?: () => void;
  /** A notification came while no sleep was there to end: the next sleep ends at once. */
  private wakeRequested = false;
  private running = false;
  private loopDone?: Promise<void>;
  private failures = 0;
  /** The connection holding the relay lock while this relay is the one that publishes. */
  private session?: Client;
  /** Whether `session` holds the relay lock; a waiting replica keeps its connection and asks again. */
  private holdsLock = false;
  /** publishPending calls run one after another: one batch at a time on the session. */
  private exclusive: Promise<unknown> = Promise.resolve();
  private readonly countStatement: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly metrics: EventMetrics,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.countStatement = options.countStatement ?? (() => undefined);
  }

  async start(): Promise<void> {
    this.running = true;
    this.listener = new Client({ connectionString: this.databaseUrl });
    this.listener.on('notification', () => {
      // Also while a batch is being published (no sleep to end yet): its rows were committed
      // after that batch's SELECT, and would otherwise wait for the next poll.
      this.wakeRequested = true;
      this.wake?.();
    });
    // A lost LISTEN connection only costs latency: the poll still finds the rows.
    this.listener.on('error', (error) => this.log.warn({ err: error }, 'outbox listener lost'));
    await this.listener.connect();
    await this.listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.loopDone = this.loop();
  }

  /** Stops after one last attempt to publish what is pending. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
    if (this.bus.isConnected) await this.publishPending().catch(() => undefined);
    await this.releaseSession();
    await this.listener?.end().catch(() => undefined);
  }

  /**
   * Publishes everything pending now (tests and shutdown use it); a relay that
   * is not running lets go of the lock afterwards. A failure lets go of it too,
   * so that another replica, whose NATS may be fine, can take over.
   */
  publishPending(): Promise<number> {
    const run = this.exclusive.then(() => this.publishAll());
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  private async publishAll(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const published = await this.publishBatch();
        total += published;
        if (published < this.batchSize) return total;
      }
    } catch (error) {
      await this.releaseSession();
      throw error;
    } finally {
      if (!this.running) await this.releaseSession();
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (!this.bus.isConnected) {
        // Not connected yet: the rows wait in the outbox, orders keep being taken.
        await this.sleep(this.pollIntervalMs, false);
        continue;
      }
      try {
        // Cleared before looking: a notification from now on is for rows this look may miss.
        this.wakeRequested = false;
        await this.publishPending();
        this.failures = 0;
        await this.sleep(this.pollIntervalMs);
      } catch (error) {
        this.failures++;
        const delayMs = Math.min(200 * 2 ** this.failures, MAX_BACKOFF_MS);
        this.log.warn({ err: natsErrorMessage(error), retryInMs: delayMs }, 'outbox publish failed');
        await this.sleep(delayMs, false);
      }
    }
  }

  private async publishBatch(): Promise<number> {
    const session = await this.acquireSession();
    if (!session) return 0;
    const { rows } = await this.run<{ seq: string; envelope: EventEnvelope }>(session, READ_UNPUBLISHED, [
      this.batchSize,
    ]);
    if (rows.length === 0) return 0;
    const js = await this.bus.jetstream();
    // All sent at once in seq order on the one connection (JetStream stores them in that order),
    // then every PubAck awaited: one round trip per batch instead of one per event.
    const outcomes = await Promise.allSettled(
      rows.map((row) =>
        js.publish(subjectOf(this.bus.prefix, row.envelope.type), JSON.stringify(row.envelope), {
          msgID: row.envelope.id,
          timeout: this.publishTimeoutMs,
          headers: traceHeadersOf(row.envelope),
        }),
      ),
    );
    // Only the acknowledged rows are marked sent. A failed row stays pending and is published
    // again (after the backoff), so it may land in the stream after rows of its batch that
    // followed it: consumers already take an order's events out of order (a nak'd delivery
    // comes back later too) and wait with RetryLaterError where it matters.
    const sent = rows.filter((_, i) => outcomes[i].status === 'fulfilled').map((row) => row.seq);
    const failedAt = outcomes.findIndex((outcome) => outcome.status === 'rejected');
    const failure = failedAt >= 0 ? ((outcomes[failedAt] as PromiseRejectedResult).reason as Error) : undefined;
    const failed = rows.filter((_, i) => outcomes[i].status === 'rejected').map((row) => row.seq);
    await this.run(session, MARK_OUTCOMES, [sent, failed, failure ? natsErrorMessage(failure).slice(0, 500) : null]);
    this.metrics.published.inc(sent.length);
    if (failure) {
      this.metrics.publishFailures.inc();
      throw failure;
    }
    return sent.length;
  }

  /** The relay's own connection with the relay lock, or nothing while another relay holds it. */
  private async acquireSession(): Promise<Client | undefined> {
    if (!this.session) {
      // Named, so that pg_stat_activity tells which connection is the relay's.
      const client = new Client({
        connectionString: this.databaseUrl,
        application_name: RELAY_CONNECTION_NAME,
      });
      // A lost connection has lost the lock with it: the next batch connects and tries again.
      client.on('error', (error) => {
        this.log.warn({ err: error.message }, 'outbox relay connection lost');
        if (this.session === client) this.forgetSession();
      });
      await client.connect();
      try {
        this.countStatement();
        await client.query(WALK_THE_INDEX);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.session = client;
    }
    if (!this.holdsLock) {
      try {
        const { rows } = await this.run<{ locked: boolean }>(this.session, TAKE_LOCK, [RELAY_LOCK_KEY]);
        this.holdsLock = rows[0].locked;
      } catch (error) {
        await this.releaseSession();
        throw error;
      }
      this.metrics.relayPublishing.set(this.holdsLock ? 1 : 0);
    }
    return this.holdsLock ? this.session : undefined;
  }

  /** Closing the connection is what lets go of the lock, whatever state the connection is in. */
  private async releaseSession(): Promise<void> {
    const session = this.session;
    this.forgetSession();
    await session?.end().catch(() => undefined);
  }

  private forgetSession(): void {
    this.session = undefined;
    this.holdsLock = false;
    this.metrics.relayPublishing.set(0);
  }

  private async run<Row>(client: Client, statement: NamedStatement, values: unknown[]): Promise<{ rows: Row[] }> {
    this.countStatement();
    return client.query({ ...statement, values }) as unknown as Promise<{ rows: Row[] }>;
  }

  private get databaseUrl(): string {
    return (this.dataSource.options as { url: string }).url;
  }

  private sleep(ms: number, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      if (wakeable && this.wakeRequested) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = wakeable ? done : () => (this.running ? undefined : done());
    });
  }
}

/** The trace context rides in the headers too, where tracing tools look for it without reading the payload. */
function traceHeadersOf(envelope: EventEnvelope): MsgHdrs | undefined {
  if (!envelope.traceparent) return undefined;
  const h = headers();
  h.set('traceparent', envelope.traceparent);
  return h;
}
