import { connect, type NatsConnection } from 'nats';
import { Client, type Pool } from 'pg';
import pino from 'pino';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';
import { eventually } from '../../test/support/eventually';
import { TEST_DATABASE_URL, testNamespace } from '../../test/support/testEnv';
import { TestNatsServer } from '../../test/support/testNatsServer';
import { defineEvent } from '../events/contract';
import { createEvent } from '../events/envelope';
import { EventBus } from '../events/EventBus';
import { EventConsumer } from '../events/EventConsumer';
import { createEventMetrics } from '../events/eventMetrics';
import { CreateEventTables1764400000000 } from '../events/migrations/1764400000000-CreateEventTables';
import { deadLetterStream, subjectOf } from '../events/naming';
import { createErrorFormatter } from '../graphql/formatError';
import { createMetrics } from '../metrics';
import { databaseTimeoutOf } from './databaseFaults';
import { databaseUrl, dropDatabase, openDatabase } from './database';

const log = pino({ level: 'silent' });
const { prefix } = testNamespace();
const database = `${prefix}_timeouts`;
const STATEMENT_TIMEOUT_MS = 300;
const IDLE_TIMEOUT_MS = 500;
const timeouts = {
  statementTimeoutMs: STATEMENT_TIMEOUT_MS,
  idleInTransactionTimeoutMs: IDLE_TIMEOUT_MS,
  migrationStatementTimeoutMs: 0,
};
let db: DataSource;

function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

beforeAll(async () => {
  db = await openDatabase({
    serverUrl: TEST_DATABASE_URL,
    database,
    entities: [],
    migrations: [CreateEventTables1764400000000],
    logger: log,
    poolSize: 2,
    timeouts,
  });
  await db.query('CREATE TABLE effects (event_id uuid, note text)');
});

afterAll(async () => {
  await db?.destroy();
  await dropDatabase(TEST_DATABASE_URL, database);
});

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('database session timeouts', () => {
  it('cancels a statement running past DB_STATEMENT_TIMEOUT_MS with 57014, and the pool serves the next queries', async () => {
    const started = Date.now();
    // Both connections of the pool stuck at once: a hung pool would never answer the next query.
    const errors = await Promise.all([
      rejection(db.query('SELECT pg_sleep(30)')),
      rejection(db.query('SELECT pg_sleep(30)')),
    ]);
    expect(Date.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + 2_000);
    for (const error of errors) expect(databaseTimeoutOf(error)).toBe('57014');
    expect(await db.query('SELECT 41 + 1 AS answer')).toEqual([{ answer: 42 }]);
    // Also a transaction whose statement was cancelled is rolled back and its connection reused.
    await expect(db.transaction((tx) => tx.query('SELECT pg_sleep(30)'))).rejects.toMatchObject({ code: '57014' });
    expect(await db.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
    const pool = poolOf(db);
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });

  it('gives every connection made from the data source URL the timeouts, also those the outbox relay opens itself', async () => {
    const client = new Client({ connectionString: (db.options as { url: string }).url });
    await client.connect();
    try {
      const statement = await client.query('SHOW statement_timeout');
      const idle = await client.query('SHOW idle_in_transaction_session_timeout');
      expect([statement.rows[0].statement_timeout, idle.rows[0].idle_in_transaction_session_timeout]).toEqual([
        `${STATEMENT_TIMEOUT_MS}ms`,
        `${IDLE_TIMEOUT_MS}ms`,
      ]);
    } finally {
      await client.end();
    }
  });

  it('ends a transaction left idle past DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, and the pool discards that connection', async () => {
    const runner: QueryRunner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const [{ pid }] = (await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    await runner.query('SELECT 1');
    await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS + 500));
    // The server ended the session (25P03) and its locks with it; the client learns it at its next statement,
    // and the request that held the transaction is told the database is away, not that it failed.
    const error = await rejection(runner.query('SELECT 1'));
    expect(error).toBeInstanceOf(Error);
    expect(createErrorFormatter(log, false)({ message: String(error), path: ['order'] }, error)).toEqual({
      message: 'The database is not reachable, try again shortly',
      path: ['order'],
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'database_unavailable' },
    });
    await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
    const [active] = (await db.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid])) as {
      n: number;
    }[];
    expect(active.n).toBe(0);
    // Both the pool's connections serve again, neither of them the ended one.
    const pids = (await Promise.all([
      db.transaction((tx) => tx.query('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)')),
      db.transaction((tx) => tx.query('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)')),
    ])) as { pid: number }[][];
    expect(pids.map(([row]) => row.pid)).not.toContain(pid);
  });

  it('answers a request whose statement timed out SERVICE_UNAVAILABLE, without SQL or detail', async () => {
    const error = await rejection(db.query('SELECT pg_sleep(30)'));
    const format = createErrorFormatter(log, false);
    const formatted = format({ message: (error as Error).message, path: ['products'] }, error);
    expect(formatted).toEqual({
      message: 'The database did not answer in time, try again shortly',
      path: ['products'],
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'database_timeout' },
    });
  });
});

it('answers SERVICE_UNAVAILABLE while the database server is away, and INTERNAL_SERVER_ERROR for a mere bug', async () => {
  const nowhere = new Client({
    connectionString: 'postgres://postgres@127.0.0.1:1/none',
    connectionTimeoutMillis: 1_000,
  });
  const refused = await rejection(nowhere.connect());
  const terminated = await rejection(
    (async () => {
      const session = new Client({ connectionString: databaseUrl(TEST_DATABASE_URL, database) });
      await session.connect();
      session.on('error', () => undefined);
      const { rows } = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await db.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      try {
        await session.query('SELECT 1');
      } finally {
        await session.end().catch(() => undefined);
      }
    })(),
  );
  const format = createErrorFormatter(log, false);
  for (const error of [refused, terminated])
    expect(format({ message: String(error) }, error).extensions).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      reason: 'database_unavailable',
    });
  expect(format({ message: 'x' }, new TypeError('x is not a function')).extensions).toEqual({
    code: 'INTERNAL_SERVER_ERROR',
  });
});

describe('migrations', () => {
  /** A migration slower than the request statement timeout, as an index build on a big table would be. */
  class SlowMigration1700000000000 implements MigrationInterface {
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`SELECT pg_sleep(${(STATEMENT_TIMEOUT_MS * 3) / 1000})`);
      await runner.query('CREATE TABLE slow (id int)');
    }
    async down(): Promise<void> {}
  }

  it('run without the request statement timeout, also while waiting for another migrator, then the pool has it again', async () => {
    const name = `${prefix}_migrations`;
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    // Another replica migrating: it holds the migration lock longer than the statement timeout.
    const other = new Client({ connectionString: databaseUrl(TEST_DATABASE_URL, name) });
    await other.connect();
    await other.query('SELECT pg_advisory_lock(4711001)');
    const release = setTimeout(() => void other.query('SELECT pg_advisory_unlock(4711001)'), STATEMENT_TIMEOUT_MS * 3);
    let migrated: DataSource | undefined;
    try {
      migrated = await openDatabase({
        serverUrl: TEST_DATABASE_URL,
        database: name,
        entities: [],
        migrations: [SlowMigration1700000000000],
        logger: log,
        poolSize: 1,
        timeouts,
      });
      expect(await migrated.query("SELECT to_regclass('slow') IS NOT NULL AS created")).toEqual([{ created: true }]);
      // The pool's only connection ran the migrations: it is back to the request timeout.
      expect(await migrated.query('SHOW statement_timeout')).toEqual([
        { statement_timeout: `${STATEMENT_TIMEOUT_MS}ms` },
      ]);
    } finally {
      clearTimeout(release);
      await other.end();
      await migrated?.destroy();
      await dropDatabase(TEST_DATABASE_URL, name);
    }
  });
});

describe('an event handler whose statement times out', () => {
  const noted = defineEvent('things.noted', 1, z.object({ note: z.string() }));
  let nats: TestNatsServer;
  let bus: EventBus;
  let client: NatsConnection;
  let consumer: EventConsumer | undefined;

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    bus = new EventBus({ url: nats.url, prefix, name: 'test', log });
    await bus.ready();
    await bus.ensureStream('things');
    client = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await consumer?.stop();
    await client?.close();
    await bus?.close();
    await nats?.remove();
  });

  it('is retried with a delay as a transient fault, never dead-lettered, and handled once the database answers', async () => {
    const event = createEvent(noted, { source: 'test', subject: 'slow-1', data: { note: 'slow' } });
    let attempts = 0;
    consumer = new EventConsumer(
      {
        name: 'slow',
        domain: 'things',
        handlers: {
          'things.noted': async (e, commit) => {
            attempts++;
            await commit(async (tx) => {
              // Slow twice (a lock held elsewhere, say), then fast.
              if (attempts <= 2) await tx.query('SELECT pg_sleep(30)');
              await tx.query('INSERT INTO effects VALUES ($1, $2)', [e.id, 'done']);
            });
          },
        },
      },
      db,
      bus,
      log,
      createEventMetrics(createMetrics('test'), db, bus),
      { retry: { windowMs: 60_000, baseDelayMs: 50 }, ackWaitMs: 5_000 },
    );
    consumer.start();
    await client
      .jetstream()
      .publish(subjectOf(prefix, 'things.noted'), new TextEncoder().encode(JSON.stringify(event)), {
        msgID: event.id,
      });
    await eventually(
      async () => (await db.query('SELECT 1 FROM effects WHERE event_id = $1', [event.id])).length === 1,
      20_000,
    );
    expect(attempts).toBe(3);
    const jsm = await client.jetstreamManager();
    const dead = await jsm.streams.info(deadLetterStream(prefix)).then(
      (info) => info.state.messages,
      () => 0,
    );
    expect(dead).toBe(0);
  });
});
