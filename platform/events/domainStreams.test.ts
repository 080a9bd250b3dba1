import { connect, nanos, type JetStreamManager, type NatsConnection, type NatsError } from 'nats';
import { TEST_NATS_URL, testNamespace } from '../../test/support/testEnv';
import { createLogger } from '../logger';
import { deleteEventNamespace, ensureDomainStream, type StreamLimits } from './domainStreams';
import { EventBus } from './EventBus';
import { deadLetterStream, domainSubjects, streamOf, subjectOf } from './naming';

const { prefix } = testNamespace();
const limits: StreamLimits = { maxAgeMs: 2 * 3_600_000, maxBytes: 4 * 1_048_576, replicas: 1 };
const TEN_MINUTES_NS = nanos(10 * 60_000);

let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: TEST_NATS_URL });
  jsm = await nc.jetstreamManager();
});

afterAll(async () => {
  await nc?.close();
  await deleteEventNamespace(TEST_NATS_URL, prefix);
});

/** A logger whose lines the test reads. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

const configOf = async (stream: string) => (await jsm.streams.info(stream)).config;

describe('stream limits', () => {
  it('creates the domain stream and the dead-letter stream bounded by age and size, deduplicating', async () => {
    expect(await ensureDomainStream(jsm, prefix, 'fresh', limits)).toEqual({
      [streamOf(prefix, 'fresh')]: 'created',
      [deadLetterStream(prefix)]: 'created',
    });
    for (const [stream, discard] of [
      [streamOf(prefix, 'fresh'), 'old'],
      [deadLetterStream(prefix), 'new'],
    ]) {
      expect(await configOf(stream)).toMatchObject({
        max_age: nanos(limits.maxAgeMs),
        max_bytes: limits.maxBytes,
        num_replicas: 1,
        discard,
        duplicate_window: TEN_MINUTES_NS,
      });
    }
    // Ensuring again with the same limits changes nothing.
    expect(Object.values(await ensureDomainStream(jsm, prefix, 'fresh', limits))).toEqual(['unchanged', 'unchanged']);
  });

  it('brings a stream created earlier without limits to them on the next ensure, keeping its messages', async () => {
    const stream = streamOf(prefix, 'legacy');
    // What ensureDomainStream created before streams had limits.
    await jsm.streams.add({
      name: stream,
      subjects: [domainSubjects(prefix, 'legacy')],
      duplicate_window: TEN_MINUTES_NS,
    });
    await nc.jetstream().publish(subjectOf(prefix, 'legacy.noted'), 'kept', { msgID: 'legacy-1' });
    expect((await configOf(stream)).max_bytes).toBe(-1);

    // A caller without limits (a test's probe) leaves an existing stream as it is.
    expect((await ensureDomainStream(jsm, prefix, 'legacy'))[stream]).toBe('unchanged');
    expect((await configOf(stream)).max_bytes).toBe(-1);

    const { log, lines } = capturedLog();
    const bus = new EventBus({ url: TEST_NATS_URL, prefix, name: 'test', log, streamLimits: limits });
    try {
      await bus.ensureStream('legacy');
    } finally {
      await bus.close();
    }
    const info = await jsm.streams.info(stream);
    expect(info.config).toMatchObject({
      subjects: [domainSubjects(prefix, 'legacy')],
      max_age: nanos(limits.maxAgeMs),
      max_bytes: limits.maxBytes,
      discard: 'old',
      duplicate_window: TEN_MINUTES_NS,
    });
    expect(info.state.messages).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'stream limits applied', stream, change: 'updated' }));

    // A changed setting is applied by the next start, and stays put after it.
    const smaller = { ...limits, maxBytes: 2 * 1_048_576, maxAgeMs: 3_600_000 };
    expect((await ensureDomainStream(jsm, prefix, 'legacy', smaller))[stream]).toBe('updated');
    expect(await configOf(stream)).toMatchObject({ max_bytes: smaller.maxBytes, max_age: nanos(3_600_000) });
    expect((await ensureDomainStream(jsm, prefix, 'legacy', smaller))[stream]).toBe('unchanged');
  });

  it('lets services racing to create the same stream all succeed', async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureDomainStream(jsm, prefix, 'raced', limits)));
    expect(results.map((r) => r[streamOf(prefix, 'raced')])).toContain('created');
    expect((await configOf(streamOf(prefix, 'raced'))).max_bytes).toBe(limits.maxBytes);
  });

  it('keeps taking events into a full domain stream, dropping its oldest, and refuses a dead letter to a full dead-letter stream', async () => {
    const { log } = capturedLog();
    const tiny = { ...limits, maxBytes: 2_048 };
    const bus = new EventBus({ url: TEST_NATS_URL, prefix: `${prefix}_tiny`, name: 'test', log, streamLimits: tiny });
    try {
      await bus.ensureStream('full');
      const js = await bus.jetstream();
      const payload = 'x'.repeat(200);
      // The saga never stops for a full stream: 100 events of 200 bytes into 2 KiB all go in.
      for (let i = 0; i < 100; i++)
        await js.publish(subjectOf(`${prefix}_tiny`, 'full.noted'), payload, { msgID: `full-${i}` });
      const { state } = await jsm.streams.info(streamOf(`${prefix}_tiny`, 'full'));
      expect(state.last_seq).toBe(100);
      expect(state.first_seq).toBeGreaterThan(1);
      expect(state.bytes).toBeLessThanOrEqual(2_048);

      let accepted = 0;
      let refusal: NatsError | undefined;
      for (let i = 0; i < 100 && !refusal; i++) {
        await js.publish(`${prefix}_tiny.deadletter.test.full_noted`, payload, { msgID: `dead-${i}` }).then(
          () => (accepted += 1),
          (error: NatsError) => (refusal = error),
        );
      }
      // nats.js 2.29 puts only "503" in the message; what the server said is in api_error.
      expect(refusal?.api_error).toMatchObject({ err_code: 10077, description: 'maximum bytes exceeded' });
      expect(accepted).toBeGreaterThan(0);
      // Every dead letter taken is still there, the first one included.
      expect((await jsm.streams.info(deadLetterStream(`${prefix}_tiny`))).state).toMatchObject({
        first_seq: 1,
        last_seq: accepted,
        messages: accepted,
      });
    } finally {
      await bus.close();
      await deleteEventNamespace(TEST_NATS_URL, `${prefix}_tiny`);
    }
  });

  it('passes the replicas on: a single-node server refuses an R3 stream, and the refusal is logged', async () => {
    const { log, lines } = capturedLog();
    const r3 = { ...limits, replicas: 3 };
    const bus = new EventBus({ url: TEST_NATS_URL, prefix: `${prefix}_r3`, name: 'test', log, streamLimits: r3 });
    try {
      await expect(bus.ensureStream('orders')).rejects.toThrow(
        /NATS refused stream .*_r3_orders with EVENTS_STREAM_REPLICAS=3.*replicas > 1 not supported in non-clustered mode/,
      );
    } finally {
      await bus.close();
      await deleteEventNamespace(TEST_NATS_URL, `${prefix}_r3`);
    }
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'stream not ensured',
        err: expect.stringContaining('EVENTS_STREAM_REPLICAS=3'),
      }),
    );
  });

  it('does not move an existing stream to R3 on a server without a cluster (it would be lost at its restart)', async () => {
    const stream = streamOf(prefix, 'fresh');
    await expect(ensureDomainStream(jsm, prefix, 'fresh', { ...limits, replicas: 3 })).rejects.toThrow(
      /EVENTS_STREAM_REPLICAS=3.*non-clustered/,
    );
    expect((await configOf(stream)).num_replicas).toBe(1);
  });
});
