import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { connect, headers, type NatsConnection } from 'nats';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { runEventsCli } from '../../scripts/events';
import { eventually } from '../../test/support/eventually';
import { parsePrometheusText, sampleSum } from '../../test/support/prometheusText';
import { TEST_DATABASE_URL, TEST_NATS_URL, testNamespace } from '../../test/support/testEnv';
import { dropDatabase, openDatabase } from '../db/database';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { defineEvent } from './contract';
import { listDeadLetters, replayDeadLetter } from './deadLetters';
import { createEvent, PermanentEventError, type EventEnvelope } from './envelope';
import { deleteEventNamespace } from './domainStreams';
import { EventBus } from './EventBus';
import { EventConsumer, type EventHandler } from './EventConsumer';
import { createEventMetrics } from './eventMetrics';
import { AddEventRetentionIndexes1764748800000 } from './migrations/1764748800000-AddEventRetentionIndexes';
import { CreateEventTables1764400000000 } from './migrations/1764400000000-CreateEventTables';
import { deadLetterStream, deadLetterSubject, streamOf, subjectOf } from './naming';

const ROOT = path.resolve(__dirname, '..', '..');
const log = pino({ level: 'silent' });
const noted = defineEvent('things.noted', 1, z.object({ note: z.string() }));
const CONSUMERS = ['alpha-on-things', 'beta-on-things'];
const { prefix: runPrefix } = testNamespace();

let db: DataSource;
let nc: NatsConnection;
let worlds = 0;
let world: World;

beforeAll(async () => {
  db = await openDatabase({
    serverUrl: TEST_DATABASE_URL,
    database: `${runPrefix}_deadletters`,
    entities: [],
    migrations: [CreateEventTables1764400000000, AddEventRetentionIndexes1764748800000],
    logger: log,
  });
  await db.query('CREATE TABLE effects (consumer text NOT NULL, event_id uuid NOT NULL)');
  nc = await connect({ servers: TEST_NATS_URL });
});

afterAll(async () => {
  await nc?.close();
  await db?.destroy();
  await dropDatabase(TEST_DATABASE_URL, `${runPrefix}_deadletters`);
});

beforeEach(async () => {
  world = await World.start(`${runPrefix}_${++worlds}`);
});

afterEach(async () => {
  await world?.stop();
});

/**
 * One test's namespace: a service's bus and two consumers of the `things` stream whose handler
 * records its effect with the inbox (as every real handler does), or throws a PermanentEventError
 * while the test says it is broken.
 */
class World {
  readonly broken = new Set<string>();
  readonly metrics = createMetrics('test');
  private readonly consumers: EventConsumer[];

  private constructor(
    readonly prefix: string,
    readonly bus: EventBus,
  ) {
    const eventMetrics = createEventMetrics(this.metrics, db, bus, () =>
      CONSUMERS.map((name) => ({ name, domain: 'things' })),
    );
    this.consumers = CONSUMERS.map(
      (name) =>
        new EventConsumer(
          { name, domain: 'things', handlers: { [noted.type]: this.handler(name) } },
          db,
          bus,
          log,
          eventMetrics,
          {
            retry: { windowMs: 1_000, baseDelayMs: 50, retryLaterBaseDelayMs: 50 },
            ackWaitMs: 5_000,
          },
        ),
    );
  }

  static async start(prefix: string): Promise<World> {
    const bus = new EventBus({ url: TEST_NATS_URL, prefix, name: 'test', log });
    await bus.ensureStream('things');
    const world = new World(prefix, bus);
    for (const consumer of world.consumers) consumer.start();
    // Each consumer has its pull waiting: a test that ends at once then stops consumers that run.
    const jsm = await nc.jetstreamManager();
    await eventually(async () => {
      const infos = await Promise.all(
        CONSUMERS.map((name) => jsm.consumers.info(streamOf(prefix, 'things'), name).catch(() => undefined)),
      );
      return infos.every((info) => info && info.num_waiting > 0);
    });
    return world;
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.bus.close();
    await deleteEventNamespace(TEST_NATS_URL, this.prefix);
  }

  private handler(consumer: string): EventHandler {
    return async (event, commit) => {
      const { note } = noted.read(event);
      if (this.broken.has(consumer)) throw new PermanentEventError(`${consumer} cannot handle ${note}`);
      await commit(async (tx) => {
        await tx.query('INSERT INTO effects (consumer, event_id) VALUES ($1, $2)', [consumer, event.id]);
      });
    };
  }

  /** Publishes an event as the outbox relay does (Nats-Msg-Id = event id). */
  async publish(note: string): Promise<EventEnvelope> {
    const event = createEvent(noted, { source: 'test', subject: `thing-${note}`, data: { note } });
    await nc.jetstream().publish(subjectOf(this.prefix, event.type), JSON.stringify(event), { msgID: event.id });
    return event;
  }

  async deadLetterCount(): Promise<number> {
    const jsm = await nc.jetstreamManager();
    return (await jsm.streams.info(deadLetterStream(this.prefix))).state.messages;
  }

  /**
   * Every consumer has been delivered everything on the stream, and has ended every delivery
   * (each one is counted once in events_consumed_total, by its outcome).
   */
  async settled(): Promise<void> {
    const jsm = await nc.jetstreamManager();
    await eventually(async () => {
      const samples = parsePrometheusText(await this.metrics.registry.metrics());
      const infos = await Promise.all(
        CONSUMERS.map((name) => jsm.consumers.info(streamOf(this.prefix, 'things'), name).catch(() => undefined)),
      );
      return infos.every(
        (info) =>
          info &&
          info.num_pending === 0 &&
          sampleSum(samples, 'events_consumed_total', { consumer: info.name }) === info.delivered.consumer_seq,
      );
    });
  }

  /** The handlers' committed effects for an event, by consumer. */
  async effects(event: EventEnvelope): Promise<Record<string, number>> {
    const rows = (await db.query(
      'SELECT consumer, count(*)::int AS n FROM effects WHERE event_id = $1 GROUP BY consumer',
      [event.id],
    )) as { consumer: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.consumer, row.n]));
  }

  async gauge(): Promise<number> {
    return sampleSum(parsePrometheusText(await this.metrics.registry.metrics()), 'events_dead_letters');
  }

  /** `npm run events -- <args>` in this process, with the namespace's settings. */
  async cli(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const logged: Record<string, unknown>[] = [];
    const auditLog = createLogger('events', 'info', { write: (line: string) => void logged.push(JSON.parse(line)) });
    const code = await runEventsCli(
      args,
      { NATS_URL: TEST_NATS_URL, EVENTS_PREFIX: this.prefix },
      { out: (line) => out.push(line), err: (line) => err.push(line), log: auditLog },
    );
    return { code, out, err, logged };
  }
}

/** Dead-letters events with the given consumers broken, then mends them. */
async function deadLettered(broken: string[], ...notes: string[]): Promise<EventEnvelope[]> {
  for (const consumer of broken) world.broken.add(consumer);
  const events = [];
  for (const note of notes) events.push(await world.publish(note));
  await eventually(async () => (await world.deadLetterCount()) === broken.length * notes.length);
  await world.settled();
  world.broken.clear();
  return events;
}

describe('dead letters', () => {
  it('lists a dead letter with its stream, subject, event, consumer, reason, deliveries and age', async () => {
    expect(await world.gauge()).toBe(0);
    const [event] = await deadLettered(['alpha-on-things'], 'first');

    const { code, out } = await world.cli('dead-letters');
    expect(code).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[0].split(/\s+/)).toEqual([
      'SEQ',
      'STREAM',
      'SUBJECT',
      'EVENT',
      'CONSUMER',
      'DELIVERIES',
      'AGE',
      'REASON',
    ]);
    const [seq, stream, subject, eventId, consumer, deliveries, age, ...reason] = out[1].split(/\s+/);
    expect({ seq, stream, subject, eventId, consumer, deliveries }).toEqual({
      seq: '1',
      stream: streamOf(world.prefix, 'things'),
      subject: subjectOf(world.prefix, 'things.noted'),
      eventId: event.id,
      consumer: 'alpha-on-things',
      deliveries: '1',
    });
    expect(age).toMatch(/^\d+s$/);
    expect(reason.join(' ')).toBe('alpha-on-things cannot handle first');
    // The other consumer handled it; the broken one did not.
    expect(await world.effects(event)).toEqual({ 'beta-on-things': 1 });
    expect(await world.gauge()).toBe(1);
  });

  it('shows an unparseable dead letter with "-" for its event id, and an empty stream as such', async () => {
    const h = headers();
    h.set('Original-Subject', subjectOf(world.prefix, 'things.noted'));
    h.set('Dead-Letter-Consumer', 'alpha-on-things');
    h.set('Dead-Letter-Reason', 'not JSON');
    h.set('Deliveries', '1');
    await nc
      .jetstream()
      .publish(deadLetterSubject(world.prefix, 'alpha-on-things', 'unparseable'), 'garbage', { headers: h });
    const { out } = await world.cli('dead-letters');
    expect(out[1].split(/\s+/)[3]).toBe('-');

    await world.cli('drop', '1');
    expect((await world.cli('dead-letters')).out).toEqual([`no dead letters in ${deadLetterStream(world.prefix)}`]);
  });

  it('replays a dead letter once its handler is fixed: handled exactly once, by the consumer that failed only', async () => {
    const [event] = await deadLettered(['alpha-on-things'], 'replayed');
    const [letter] = await listDeadLetters(nc, world.prefix);

    const replay = await world.cli('replay', String(letter.seq));
    expect(replay).toMatchObject({ code: 0, out: ['replayed 1 dead letter(s)'] });
    expect(replay.logged).toContainEqual(
      expect.objectContaining({ msg: 'dead letter replayed', deadLetterSeq: letter.seq, eventId: event.id }),
    );
    await world.settled();
    // The other consumer's inbox skipped the copy it had handled already.
    expect(await world.effects(event)).toEqual({ 'alpha-on-things': 1, 'beta-on-things': 1 });
    expect(await world.deadLetterCount()).toBe(0);
    expect(await world.gauge()).toBe(0);

    // The same dead letter again: it is gone, and nothing changes.
    const again = await world.cli('replay', String(letter.seq));
    expect(again.code).toBe(2);
    expect(again.err).toEqual([expect.stringMatching(new RegExp(`^events: no dead letter ${letter.seq} in `))]);

    // A replay that is run again after its publish was acknowledged (a crash before the delete)
    // publishes a duplicate JetStream drops.
    expect(await replayDeadLetter(nc, world.prefix, letter, log)).toBe(true);

    // Another dead letter of an event that was handled since: replaying it changes nothing either.
    const h = headers();
    h.set('Original-Subject', letter.subject);
    h.set('Dead-Letter-Consumer', 'alpha-on-things');
    h.set('Dead-Letter-Reason', 'left over');
    await nc
      .jetstream()
      .publish(deadLetterSubject(world.prefix, 'alpha-on-things', noted.type), letter.data, { headers: h });
    expect((await world.cli('replay', event.id)).code).toBe(0);
    await world.settled();
    expect(await world.effects(event)).toEqual({ 'alpha-on-things': 1, 'beta-on-things': 1 });
    expect(await world.deadLetterCount()).toBe(0);
  });

  it('replays every dead letter of an event by its id, and every one with --all', async () => {
    const [first, second] = await deadLettered(CONSUMERS, 'one', 'two');
    expect(await world.deadLetterCount()).toBe(4);

    expect(await world.cli('replay', first.id)).toMatchObject({ code: 0, out: ['replayed 2 dead letter(s)'] });
    await world.settled();
    expect(await world.effects(first)).toEqual({ 'alpha-on-things': 1, 'beta-on-things': 1 });
    expect(await world.effects(second)).toEqual({});
    expect(await world.deadLetterCount()).toBe(2);

    expect(await world.cli('replay', '--all')).toMatchObject({ code: 0, out: ['replayed 2 dead letter(s)'] });
    await world.settled();
    expect(await world.effects(first)).toEqual({ 'alpha-on-things': 1, 'beta-on-things': 1 });
    expect(await world.effects(second)).toEqual({ 'alpha-on-things': 1, 'beta-on-things': 1 });
    expect(await world.deadLetterCount()).toBe(0);
    expect(await world.cli('replay', '--all')).toMatchObject({ code: 0, out: ['replayed 0 dead letter(s)'] });
  });

  it('drops a dead letter for good, logging what it was and why it was there', async () => {
    const [event] = await deadLettered(['alpha-on-things'], 'dropped');
    const dropped = await world.cli('drop', '1');
    expect(dropped).toMatchObject({ code: 0, out: ['dropped 1 dead letter(s)'] });
    expect(dropped.logged).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'dead letter dropped',
        deadLetterSeq: 1,
        eventId: event.id,
        subject: subjectOf(world.prefix, 'things.noted'),
        consumer: 'alpha-on-things',
        reason: 'alpha-on-things cannot handle dropped',
      }),
    ]);
    expect(await world.deadLetterCount()).toBe(0);
    await world.settled();
    expect(await world.effects(event)).toEqual({ 'beta-on-things': 1 });
    expect((await world.cli('drop', '1')).code).toBe(2);
  });

  it('answers a missing or unknown command with the usage, and an unreachable NATS with one line', async () => {
    for (const args of [[], ['resurrect']]) {
      const { code, err } = await world.cli(...args);
      expect(code).toBe(2);
      expect(err.join('\n')).toContain('usage: npm run events -- <command>');
    }
    const lines: string[] = [];
    const io = { out: () => undefined, err: (line: string) => void lines.push(line), log };
    expect(await runEventsCli(['dead-letters'], { NATS_URL: 'nats://127.0.0.1:1' }, io)).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^events: cannot reach NATS at nats:\/\/127\.0\.0\.1:1 \(NATS_URL\): /),
    ]);
  });

  it('keeps /metrics answering while NATS is away', async () => {
    const metrics = createMetrics('test');
    const away = new EventBus({ url: 'nats://127.0.0.1:1', prefix: world.prefix, name: 'away', log });
    try {
      createEventMetrics(metrics, db, away);
      const samples = parsePrometheusText(await metrics.registry.metrics());
      expect(samples.filter((s) => s.name === 'events_dead_letters')).toHaveLength(1);
    } finally {
      await away.close();
    }
  });

  it('works as the built command: `node dist/scripts/events.js`, exit code 2 for an unknown id', async () => {
    const cli = path.join(ROOT, 'dist', 'scripts', 'events.js');
    if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm run build`');
    const [event] = await deadLettered(['alpha-on-things'], 'built');
    const run = (env: Record<string, string>, ...args: string[]) =>
      promisify(execFile)(process.execPath, [cli, ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const env = { NATS_URL: TEST_NATS_URL, EVENTS_PREFIX: world.prefix };

    const listed = await run(env, 'dead-letters');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(event.id);

    const unknown = await run(env, 'replay', '987654');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^events: no dead letter 987654 in /)]);

    const away = await run({ NATS_URL: 'nats://127.0.0.1:1' }, 'dead-letters');
    expect(away.code).toBe(1);
    expect(away.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^events: cannot reach NATS at nats:\/\/127\.0\.0\.1:1/),
    ]);

    const badPrefix = await run({ EVENTS_PREFIX: 'no spaces' }, 'dead-letters');
    expect(badPrefix.code).toBe(1);
    expect(badPrefix.stderr.trim()).toBe('events: invalid setting EVENTS_PREFIX: letters, digits, _ and - only');

    const replayed = await run(env, 'replay', '--all');
    expect(replayed.code).toBe(0);
    await world.settled();
    expect(await world.effects(event)).toEqual({ 'alpha-on-things': 1, 'beta-on-things': 1 });
  });
});
