import { connect, type NatsConnection } from 'nats';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { TestNatsServer } from '../../test/support/testNatsServer';
import { TEST_DATABASE_URL, testNamespace } from '../../test/support/testEnv';
import { dropDatabase, openDatabase } from '../db/database';
import { createMetrics } from '../metrics';
import { z } from 'zod';
import { defineEvent } from './contract';
import { createEvent, PermanentEventError, RetryLaterError } from './envelope';
import { EventBus } from './EventBus';
import { EventConsumer, type EventHandler } from './EventConsumer';
import { createEventMetrics, type EventMetrics } from './eventMetrics';
import { AddEventRetentionIndexes1764748800000 } from './migrations/1764748800000-AddEventRetentionIndexes';
import { EventTablePruner } from './EventTablePruner';
import { CreateEventTables1764400000000 } from './migrations/1764400000000-CreateEventTables';
import { deadLetterStream, streamOf, subjectOf } from './naming';
import { appendToOutbox, UNPUBLISHED_ROWS_SQL } from './outbox';
import { OutboxRelay, RELAY_CONNECTION_NAME } from './OutboxRelay';
import { eventually } from '../../test/support/eventually';
import { parsePrometheusText, sampleSum } from '../../test/support/prometheusText';

const log = pino({ level: 'silent' });
const noted = defineEvent('things.noted', 1, z.object({ note: z.string() }));

let nats: TestNatsServer;
let db: DataSource;
let bus: EventBus;
let metrics: EventMetrics;
let client: NatsConnection;
const { prefix } = testNamespace();

beforeAll(async () => {
  nats = await TestNatsServer.start();
  db = await openDatabase({
    serverUrl: TEST_DATABASE_URL,
    database: `${prefix}_events`,
    entities: [],
    migrations: [CreateEventTables1764400000000, AddEventRetentionIndexes1764748800000],
    logger: log,
  });
  await db.query('CREATE TABLE effects (event_id uuid, note text)');
  bus = new EventBus({ url: nats.url, prefix, name: 'test', log });
  await bus.ready();
  await bus.ensureStream('things');
  metrics = createEventMetrics(createMetrics('test'), db, bus);
  client = await connect({ servers: nats.url });
});

afterAll(async () => {
  await client?.close();
  await bus?.close();
  await db?.destroy();
  await dropDatabase(TEST_DATABASE_URL, `${prefix}_events`);
  await nats?.remove();
});

async function write(notes: string[]): Promise<string[]> {
  const events = notes.map((note) => createEvent(noted, { source: 'test', subject: 'thing-1', data: { note } }));
  await db.transaction((tx) => appendToOutbox(tx, ...events));
  return events.map((e) => e.id);
}

type StoredMessage = { id?: string; data: string; headers?: Record<string, string> };

/** After a NATS restart this test's own connection may still be reconnecting (DISCONNECT, TIMEOUT): tries again. */
async function streamMessages(stream: string, timeoutMs = 20_000): Promise<StoredMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await readStream(stream);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function readStream(stream: string): Promise<StoredMessage[]> {
  const jsm = await client.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    const headers: Record<string, string> = {};
    for (const [k, v] of m.header ?? []) headers[k] = v[0];
    out.push({ id: headers['Nats-Msg-Id'], data: new TextDecoder().decode(m.data), headers });
  }
  return out;
}

async function unsent(): Promise<number> {
  const [{ count }] = await db.query('SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL');
  return count as number;
}

/** Sessions holding an advisory lock in this test's database (the relay's is the only one taken here). */
async function relayLockHolders(): Promise<number> {
  const [{ count }] = await db.query(
    `SELECT count(*)::int AS count FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return count as number;
}

/** Backends of this test's database that relays opened for their lock, by pid. */
async function relayConnections(): Promise<number[]> {
  const rows = (await db.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 ORDER BY pid`,
    [RELAY_CONNECTION_NAME],
  )) as { pid: number }[];
  return rows.map((row) => row.pid);
}

describe('the outbox relay', () => {
  it('publishes events in the order written, with Nats-Msg-Id = event id, and marks them sent', async () => {
    const ids = [...(await write(['a', 'b', 'c'])), ...(await write(['d'])), ...(await write(['e', 'f']))];
    const relay = new OutboxRelay(db, bus, log, metrics);
    expect(await relay.publishPending()).toBe(6);
    const messages = await streamMessages(streamOf(prefix, 'things'));
    expect(messages.map((m) => m.id)).toEqual(ids);
    expect(messages.map((m) => JSON.parse(m.data).data.note)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await unsent()).toBe(0);
    // Publishing again changes nothing: every row is marked sent.
    expect(await relay.publishPending()).toBe(0);
  });

  it('publishes nothing for a transaction that rolled back', async () => {
    await db
      .transaction(async (tx) => {
        await appendToOutbox(tx, createEvent(noted, { source: 'test', subject: 'x', data: { note: 'never' } }));
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(await unsent()).toBe(0);
  });

  it('marks only the acknowledged rows of a pipelined batch sent, and publishes a failed one again', async () => {
    const ids = await write(['ok-1', 'lost', 'ok-2']);
    const js = await bus.jetstream();
    // The second publish of the batch gets no PubAck; the ones around it do.
    const flaky = {
      prefix: bus.prefix,
      isConnected: true,
      jetstream: async () => ({
        publish: (subject: string, data: string, options: { msgID: string }) =>
          options.msgID === ids[1]
            ? Promise.reject(new Error('no PubAck'))
            : js.publish(subject, data, options as Parameters<typeof js.publish>[2]),
      }),
    } as unknown as EventBus;
    await expect(new OutboxRelay(db, flaky, log, metrics).publishPending()).rejects.toThrow('no PubAck');
    const rows = (await db.query('SELECT id, published_at, attempts, last_error FROM outbox WHERE id = ANY($1)', [
      ids,
    ])) as { id: string; published_at: Date | null; attempts: number; last_error: string | null }[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(ids[0])?.published_at).not.toBeNull();
    expect(byId.get(ids[2])?.published_at).not.toBeNull();
    expect(byId.get(ids[1])).toMatchObject({ published_at: null, attempts: 1, last_error: 'no PubAck' });

    expect(await new OutboxRelay(db, bus, log, metrics).publishPending()).toBe(1);
    expect(await unsent()).toBe(0);
    const published = (await streamMessages(streamOf(prefix, 'things'))).map((m) => m.id);
    expect(ids.every((id) => published.filter((p) => p === id).length === 1)).toBe(true);
  });

  it('publishes an event committed while a batch was being published at once, not at the next poll', async () => {
    const js = await bus.jetstream();
    let firstBatch: (() => void) | undefined;
    const firstBatchSending = new Promise<void>((resolve) => (firstBatch = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The first publish is held until the test has committed the second event (its NOTIFY comes mid-batch).
    const slow = {
      prefix: bus.prefix,
      isConnected: true,
      jetstream: async () => ({
        publish: async (subject: string, data: string, options: Parameters<typeof js.publish>[2]) => {
          if (firstBatch) {
            firstBatch();
            firstBatch = undefined;
            await released;
          }
          return js.publish(subject, data, options);
        },
      }),
    } as unknown as EventBus;
    const relay = new OutboxRelay(db, slow, log, metrics, { pollIntervalMs: 30_000 });
    await relay.start();
    try {
      await write(['first']);
      await firstBatchSending;
      await write(['committed-mid-batch']);
      release();
      // The relay polls every 30 s here: only a relay that sends what was committed during its batch at
      // once, without waiting for its next poll, empties the outbox before this deadline.
      await eventually(async () => (await unsent()) === 0, 10_000);
    } finally {
      await relay.stop();
    }
  });

  it('lets one relay per database publish; another takes over when it stops', async () => {
    const publishedBy = (name: string, into: string[]) =>
      ({
        prefix: bus.prefix,
        isConnected: true,
        jetstream: async () => {
          const js = await bus.jetstream();
          return {
            publish: (subject: string, data: string, options: Parameters<typeof js.publish>[2]) => {
              into.push(name);
              return js.publish(subject, data, options);
            },
          };
        },
      }) as unknown as EventBus;
    const publishers: string[] = [];
    const first = new OutboxRelay(db, publishedBy('first', publishers), log, metrics, { pollIntervalMs: 100 });
    const second = new OutboxRelay(db, publishedBy('second', publishers), log, metrics, { pollIntervalMs: 100 });
    await first.start();
    await eventually(async () => (await relayLockHolders()) === 1);
    await second.start();
    try {
      await eventually(async () => (await relayConnections()).length === 2);
      const connections = await relayConnections();
      await write(['one', 'two']);
      await write(['three']);
      await eventually(async () => (await unsent()) === 0);
      expect(publishers).toEqual(['first', 'first', 'first']);
      // The waiting relay asked again at each wake-up on the connection it had: no new one per wake.
      expect(await relayConnections()).toEqual(connections);

      await first.stop();
      await write(['four']);
      await eventually(async () => (await unsent()) === 0);
      expect(publishers).toEqual(['first', 'first', 'first', 'second']);
    } finally {
      await first.stop();
      await second.stop();
    }
    // Both let go of the lock: the next relay is not kept out by a pooled connection.
    expect(await relayLockHolders()).toBe(0);
  });

  it('runs overlapping publishPending calls one after another, and holds the lock on no pooled connection', async () => {
    const ids = await write(['overlap-1', 'overlap-2']);
    const relay = new OutboxRelay(db, bus, log, metrics);
    const [first, second] = await Promise.all([relay.publishPending(), relay.publishPending()]);
    expect(first + second).toBe(2);
    const published = (await streamMessages(streamOf(prefix, 'things'))).map((m) => m.id);
    expect(ids.every((id) => published.filter((p) => p === id).length === 1)).toBe(true);
    // Not started: it let go of the lock after publishing; a pooled connection never had it.
    expect(await relayLockHolders()).toBe(0);
    const pooled = (await db.query(
      'SELECT count(*)::int AS n FROM pg_locks WHERE locktype = $1 AND pid = pg_backend_pid()',
      ['advisory'],
    )) as { n: number }[];
    expect(pooled[0].n).toBe(0);
  });

  it('skips the index entries of the rows it sent instead of visiting each one at every look', async () => {
    // On a stream of their own: the consumers' tests read the `things` stream from its start.
    await bus.ensureStream('bulk');
    const bulk = defineEvent('bulk.noted', 1, z.object({ n: z.number() }));
    // A relay per batch, each on a new connection: each plans its look afresh (a statement prepared
    // long enough may get a generic plan that walks the index anyway, hiding what the relay sets).
    for (let batch = 0; batch < 30; batch++) {
      const events = Array.from({ length: 100 }, (_, n) =>
        createEvent(bulk, { source: 'test', subject: 'b', data: { n } }),
      );
      await db.transaction((tx) => appendToOutbox(tx, ...events));
      expect(await new OutboxRelay(db, bus, log, metrics).publishPending()).toBe(100);
    }
    // The next look for unsent rows, from any session: 3,000 dead entries in the partial index
    // (no vacuum yet), which cost a heap page visit each unless the relay's scans marked them dead.
    const [{ 'QUERY PLAN': plans }] = (await db.query(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${UNPUBLISHED_ROWS_SQL}`,
      [100],
    )) as { 'QUERY PLAN': { Plan: Record<string, number> }[] }[];
    const { Plan: plan } = plans[0];
    expect(plan['Actual Rows']).toBe(0);
    // The index's own pages (about a dozen for 3,000 entries), not the ~140 heap pages of the sent rows.
    expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(30);
  });

  it('keeps events while NATS is down and publishes them, in order, when it returns', async () => {
    const relay = new OutboxRelay(db, bus, log, metrics, { pollIntervalMs: 100, publishTimeoutMs: 500 });
    await relay.start();
    try {
      await nats.stop();
      const ids = await write(['down-1', 'down-2', 'down-3']);
      // The relay tried to publish them while NATS was away, failed, and kept them unsent.
      const tried = async () =>
        (
          (await db.query('SELECT attempts, last_error FROM outbox WHERE id = ANY($1)', [ids])) as {
            attempts: number;
            last_error: string | null;
          }[]
        ).every((row) => row.attempts > 0 && row.last_error !== null);
      await eventually(tried, 10_000);
      expect(await unsent()).toBe(3);

      await nats.start();
      await eventually(async () => (await unsent()) === 0, 20_000);
      const messages = await streamMessages(streamOf(prefix, 'things'));
      expect(messages.slice(-3).map((m) => m.id)).toEqual(ids);
    } finally {
      await relay.stop();
    }
  });
});

describe('the event table pruner', () => {
  it('deletes published outbox rows and inbox records past retention, never an unpublished row', async () => {
    const [oldSent, oldUnsent, recentSent, olderSent] = await write(['old-sent', 'old-unsent', 'recent-sent', 'older']);
    await db.query(`UPDATE outbox SET published_at = now() - interval '8 days' WHERE id = ANY($1)`, [
      [oldSent, olderSent],
    ]);
    await db.query(`UPDATE outbox SET published_at = NULL, created_at = now() - interval '9 days' WHERE id = $1`, [
      oldUnsent,
    ]);
    await db.query('UPDATE outbox SET published_at = now() WHERE id = $1', [recentSent]);
    await db.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       VALUES ('pruner-test', $1, now() - interval '8 days'), ('pruner-test', $2, now()),
              ('pruner-other', $3, now() - interval '9 days')`,
      [oldSent, recentSent, olderSent],
    );
    const pruned = createMetrics('pruner-test');
    const counter = createEventMetrics(pruned, db, bus).pruned;
    // A batch of 1: the loop over batches is what deletes more than one row.
    const retention = { retentionMs: 7 * 86_400_000, intervalMs: 60_000, batchSize: 1 };
    const pruner = new EventTablePruner(db, retention, log, counter);

    // A stopped pruner deletes no further batch (a service shutting down does not wait for a whole prune).
    const stopped = new EventTablePruner(db, retention, log, counter);
    await stopped.stop();
    expect(await stopped.prune()).toEqual({ outbox: 0, processedEvents: 0 });

    // Every other row of this suite was published just now.
    expect(await pruner.prune()).toEqual({ outbox: 2, processedEvents: 2 });
    const left = (await db.query('SELECT id FROM outbox WHERE id = ANY($1)', [
      [oldSent, oldUnsent, recentSent, olderSent],
    ])) as {
      id: string;
    }[];
    expect(left.map((row) => row.id).sort()).toEqual([oldUnsent, recentSent].sort());
    expect(await db.query(`SELECT event_id FROM processed_events WHERE consumer LIKE 'pruner-%'`)).toEqual([
      { event_id: recentSent },
    ]);
    expect(sampleSum(parsePrometheusText(await pruned.registry.metrics()), 'events_pruned_rows_total')).toBe(4);
    // The unpublished row is the relay's to send; it is not left behind by this test.
    await db.query('DELETE FROM outbox WHERE id = $1', [oldUnsent]);
  });
});

describe('a consumer', () => {
  let consumer: EventConsumer | undefined;
  afterEach(() => consumer?.stop());

  /** Retried for `retryWindowMs` after it was stored: the order deadline of these tests. */
  function consume(name: string, handler: EventHandler, retryWindowMs = 1_000, concurrency?: number) {
    consumer = new EventConsumer(
      { name, domain: 'things', handlers: { 'things.noted': handler } },
      db,
      bus,
      log,
      metrics,
      {
        retry: { windowMs: retryWindowMs, baseDelayMs: 50, retryLaterBaseDelayMs: 50 },
        ackWaitMs: 5_000,
        concurrency,
      },
    );
    consumer.start();
  }

  async function publishRaw(data: string, msgID: string) {
    await client.jetstream().publish(subjectOf(prefix, 'things.noted'), new TextEncoder().encode(data), { msgID });
  }

  it('applies an event once when it arrives twice', async () => {
    const event = createEvent(noted, { source: 'test', subject: 't', data: { note: 'twice' } });
    consume('once', (e, commit) =>
      commit(async (tx) => {
        await tx.query('INSERT INTO effects VALUES ($1, $2)', [e.id, 'once']);
      }).then(() => undefined),
    );
    // Two publishes the stream cannot dedupe (another msgID), as after its duplicate window.
    await publishRaw(JSON.stringify(event), `${event.id}-1`);
    await publishRaw(JSON.stringify(event), `${event.id}-2`);
    const duplicates = async () =>
      (await metrics.consumed.get()).values.find(
        (v) => v.labels.consumer === 'once' && v.labels.outcome === 'duplicate',
      )?.value ?? 0;
    await eventually(async () => (await duplicates()) === 1);
    const rows = await db.query('SELECT * FROM effects WHERE event_id = $1', [event.id]);
    expect(rows).toHaveLength(1);
  });

  it('retries a transient fault with growing delays for the whole retry window, then dead-letters it', async () => {
    const event = createEvent(noted, { source: 'test', subject: 't', data: { note: 'poison' } });
    const attemptsAt: number[] = [];
    consume(
      'poisoned',
      async (e) => {
        if (e.id === event.id) {
          attemptsAt.push(Date.now());
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        }
      },
      1_500,
    );
    await publishRaw(JSON.stringify(event), event.id);
    await eventually(async () =>
      (await streamMessages(deadLetterStream(prefix))).some((m) => m.data.includes(event.id)),
    );
    // 50, 100, 200, 400, 800 ms: five retries fit in 1.5 s, the sixth would not.
    expect(attemptsAt).toHaveLength(5);
    const gaps = attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]);
    // Not dead-lettered before the window was spent.
    expect(attemptsAt[attemptsAt.length - 1] - attemptsAt[0]).toBeGreaterThanOrEqual(700);
    const dead = (await streamMessages(deadLetterStream(prefix))).find((m) => m.data.includes(event.id));
    expect(dead?.headers).toMatchObject({ 'Dead-Letter-Consumer': 'poisoned', Deliveries: '5' });
    expect(dead?.headers?.['Dead-Letter-Reason']).toBe(
      'still failing after 5 deliveries in 1.5 s: connect ECONNREFUSED 127.0.0.1:5432',
    );
  });

  it('retries an event that gives back what an order holds past the window, until it is done, never dead-letting it', async () => {
    const event = createEvent(noted, { source: 'test', subject: 't', data: { note: 'refund' } });
    const attemptsAt: number[] = [];
    consumer = new EventConsumer(
      {
        name: 'refunds',
        domain: 'things',
        handlers: {
          'things.noted': async (e, commit) => {
            if (e.id !== event.id) return;
            attemptsAt.push(Date.now());
            // The provider is away for longer than the window.
            if (attemptsAt.length < 6) throw new Error('payment provider unavailable');
            await commit(async (tx) => {
              await tx.query('INSERT INTO effects VALUES ($1, $2)', [e.id, 'refunded']);
            });
          },
        },
        retryUntilDone: ['things.noted'],
      },
      db,
      bus,
      log,
      metrics,
      { retry: { windowMs: 300, baseDelayMs: 50, maxDelayMs: 200 }, ackWaitMs: 5_000 },
    );
    consumer.start();
    await publishRaw(JSON.stringify(event), `${event.id}-refunds`);
    await eventually(
      async () => (await db.query('SELECT 1 FROM effects WHERE event_id = $1', [event.id])).length === 1,
      10_000,
    );
    expect(attemptsAt[attemptsAt.length - 1] - attemptsAt[0]).toBeGreaterThan(300);
    expect((await streamMessages(deadLetterStream(prefix))).some((m) => m.data.includes(event.id))).toBe(false);
  });

  it('never dead-letters a transient fault that ends within the window, however many deliveries it takes', async () => {
    const event = createEvent(noted, { source: 'test', subject: 't', data: { note: 'waits' } });
    let attempts = 0;
    consume(
      'patient',
      async (e, commit) => {
        if (e.id !== event.id) return;
        attempts++;
        if (attempts < 4) throw new Error('database unavailable');
        if (attempts < 8) throw new RetryLaterError('the event this one follows is not here yet');
        await commit(async (tx) => {
          await tx.query('INSERT INTO effects VALUES ($1, $2)', [e.id, 'waited']);
        });
      },
      30_000,
    );
    await publishRaw(JSON.stringify(event), `${event.id}-patient`);
    await eventually(
      async () => (await db.query('SELECT 1 FROM effects WHERE event_id = $1', [event.id])).length === 1,
      20_000,
    );
    expect(attempts).toBe(8);
    expect((await streamMessages(deadLetterStream(prefix))).some((m) => m.data.includes(event.id))).toBe(false);
  });

  it('dead-letters an event of a version its contract does not know, at once', async () => {
    let handled = 0;
    consume('versioned', async (e) => {
      if (e.version !== 1 || e.subject === 'v2') noted.read(e);
      handled++;
    });
    const v2 = { ...createEvent(noted, { source: 'test', subject: 'v2', data: { note: 'new shape' } }), version: 2 };
    await publishRaw(JSON.stringify(v2), `${v2.id}-v2`);
    await eventually(async () =>
      (await streamMessages(deadLetterStream(prefix))).some(
        (m) => m.data.includes(v2.id) && m.headers?.['Dead-Letter-Consumer'] === 'versioned',
      ),
    );
    const dead = (await streamMessages(deadLetterStream(prefix))).find((m) => m.data.includes(v2.id));
    expect(dead?.headers).toMatchObject({ Deliveries: '1' });
    expect(dead?.headers?.['Dead-Letter-Reason']).toBe('things.noted v2 is not things.noted v1');
    expect(handled).toBeGreaterThan(0);
  });

  it('stops at once while NATS cannot be reached', async () => {
    const away = new EventBus({ url: 'nats://127.0.0.1:1', prefix, name: 'away', log });
    const stranded = new EventConsumer({ name: 'stranded', domain: 'things', handlers: {} }, db, away, log, metrics, {
      retry: { windowMs: 60_000 },
      ackWaitMs: 5_000,
    });
    stranded.start();
    // A consumer that waited for NATS before stopping would still be trying to connect when its retry
    // window (60 s) ran out; this one must settle long before, while every connect still fails.
    const stopped = await Promise.race([
      stranded.stop().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting for NATS').unref()),
    ]);
    await away.close();
    expect(stopped).toBe('stopped');
  });

  it('dead-letters a message that can never be handled at once', async () => {
    const event = createEvent(noted, { source: 'test', subject: 't', data: { note: 'v99' } });
    let attempts = 0;
    // A new durable consumer reads the stream from its start: only this test's messages are its concern.
    consume('strict', async (e) => {
      if (e.id !== event.id) return;
      attempts++;
      throw new PermanentEventError('unknown version');
    });
    await publishRaw(JSON.stringify(event), `${event.id}-strict`);
    await publishRaw('this is not json', 'garbage-1');
    const lettersOfThisTest = async () =>
      (await streamMessages(deadLetterStream(prefix))).filter(
        (m) =>
          m.headers?.['Dead-Letter-Consumer'] === 'strict' &&
          (m.data.includes(event.id) || m.data === 'this is not json'),
      );
    await eventually(async () => (await lettersOfThisTest()).length === 2);
    // Handled once, never retried (the unparseable one never reached the handler at all).
    expect(attempts).toBe(1);
    expect((await lettersOfThisTest()).map((m) => m.headers?.Deliveries)).toEqual(['1', '1']);
    expect((await lettersOfThisTest()).map((m) => m.headers?.['Dead-Letter-Reason'])).toEqual([
      'unknown version',
      'not JSON',
    ]);
  });

  it('handles different subjects at once, each subject one event after another, and stops after those in flight', async () => {
    const subjects = ['order-1', 'order-2', 'order-3', 'order-4'];
    const events = subjects.flatMap((subject) =>
      [1, 2, 3].map((n) => createEvent(noted, { source: 'test', subject, data: { note: `${subject}#${n}` } })),
    );
    const mine = new Set(events.map((e) => e.id));
    const handled: string[] = [];
    const running = new Set<string>();
    let mostAtOnce = 0;
    let sameSubjectOverlapped = false;
    consume(
      'parallel',
      async (e) => {
        if (!mine.has(e.id)) return;
        if (running.has(e.subject)) sameSubjectOverlapped = true;
        running.add(e.subject);
        mostAtOnce = Math.max(mostAtOnce, running.size);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running.delete(e.subject);
        handled.push(noted.read(e).note);
      },
      60_000,
      3,
    );
    for (const event of events) await publishRaw(JSON.stringify(event), `${event.id}-parallel`);
    await eventually(async () => handled.length === events.length);
    expect(sameSubjectOverlapped).toBe(false);
    // At most 3 at once (the limit) and more than one: the subjects did not wait for each other.
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(3);
    for (const subject of subjects) {
      expect(handled.filter((note) => note.startsWith(`${subject}#`))).toEqual([1, 2, 3].map((n) => `${subject}#${n}`));
    }
  });

  it('finishes the events it is handling before stop returns', async () => {
    const event = createEvent(noted, { source: 'test', subject: 'slow', data: { note: 'slow' } });
    let started = false;
    consume(
      'graceful',
      (e, commit) => {
        if (e.id !== event.id) return Promise.resolve();
        started = true;
        return new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
          commit(async (tx) => {
            await tx.query('INSERT INTO effects VALUES ($1, $2)', [e.id, 'graceful']);
          }).then(() => undefined),
        );
      },
      3,
      8,
    );
    await publishRaw(JSON.stringify(event), `${event.id}-graceful`);
    await eventually(async () => started);
    await consumer?.stop();
    consumer = undefined;
    expect(await db.query('SELECT 1 FROM effects WHERE event_id = $1', [event.id])).toHaveLength(1);
  });
});
