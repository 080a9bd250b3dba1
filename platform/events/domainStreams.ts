import {
  connect,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import { deadLetterStream, domainSubjects, streamOf } from './naming';
import { natsServers } from './natsServers';

/**
 * The JetStream streams of an event namespace: each domain's stream and the
 * dead-letter stream, created with their limits, brought to changed limits,
 * and removed with the namespace.
 */

/** How long JetStream remembers a Nats-Msg-Id to drop a re-published event. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

/** What a stream may hold and on how many servers (EVENTS_STREAM_MAX_AGE_HOURS, _MAX_BYTES, _REPLICAS). */
export interface StreamLimits {
  maxAgeMs: number;
  maxBytes: number;
  replicas: number;
}

/** The settings' defaults, for streams created by a caller that passes no limits (tests, tools). */
export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxAgeMs: 168 * 3_600_000, maxBytes: 1_073_741_824, replicas: 1 };

/**
 * Removes every stream (and so every consumer) of an EVENTS_PREFIX namespace:
 * what a test run or a benchmark leaves behind on a shared NATS server.
 */
export async function deleteEventNamespace(natsUrl: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: natsServers(natsUrl) });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(`${prefix}_`)) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nc.close();
  }
}

export type StreamChange = 'created' | 'updated' | 'unchanged';

/**
 * The domain's stream and the namespace's dead-letter stream, created unless they exist. With
 * `limits`, an existing stream whose limits differ is updated to them, so a changed setting is
 * applied by a restart; without, an existing stream is left as it is (a test's probe must not
 * undo the limits the services under test set). `createOnly`: created with `limits` but never
 * updated, for a consumer of another domain's stream (its producer owns the stream, and NATS
 * permits only it to update it: natsPermissions.ts).
 */
export async function ensureDomainStream(
  jsm: JetStreamManager,
  prefix: string,
  domain: string,
  limits?: StreamLimits,
  createOnly = false,
): Promise<Record<string, StreamChange>> {
  const stream = streamOf(prefix, domain);
  const deadLetters = deadLetterStream(prefix);
  const update = createOnly ? undefined : limits;
  return {
    [stream]: await ensure(jsm, stream, domainSubjects(prefix, domain), limits, update, DiscardPolicy.Old),
    [deadLetters]: await ensure(jsm, deadLetters, `${prefix}.deadletter.>`, limits, update, DiscardPolicy.New),
  };
}

/**
 * Every stream is bounded by age and size, so a consumer that is down for long, or a dead-letter
 * pile nobody looks at, cannot fill NATS's disk. A domain stream discards its oldest messages when
 * full: they are long consumed (every consumer keeps up within seconds; events_consumer_pending_messages
 * and its alert show one that does not), whereas a stream refusing new ones (discard `new`) would
 * stop the whole saga once a week of traffic filled max_bytes. The dead-letter stream refuses
 * instead: its messages are the ones nobody has handled, and a refused dead-lettering leaves the
 * message unacknowledged, to be retried (EventConsumer.fail), so none is lost.
 */
function limitSettings(limits: StreamLimits, discard: DiscardPolicy) {
  return {
    max_age: nanos(limits.maxAgeMs),
    max_bytes: limits.maxBytes,
    num_replicas: limits.replicas,
    discard,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  } satisfies Partial<StreamConfig>;
}

async function ensure(
  jsm: JetStreamManager,
  name: string,
  subjects: string,
  created: StreamLimits | undefined,
  limits: StreamLimits | undefined,
  discard: DiscardPolicy,
): Promise<StreamChange> {
  const wanted = limitSettings(created ?? DEFAULT_STREAM_LIMITS, discard);
  let info = await streamInfo(jsm, name);
  if (!info) {
    try {
      await jsm.streams.add({
        name,
        subjects: [subjects],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        ...wanted,
      });
      return 'created';
    } catch (error) {
      // Another service created it first: it may have other limits, compared below.
      if (!/already in use/i.test((error as Error).message)) throw refused(name, created, error as Error);
      info = await streamInfo(jsm, name);
      if (!info) throw error;
    }
  }
  if (!limits) return 'unchanged';
  const differs = (Object.keys(wanted) as (keyof typeof wanted)[]).some((key) => info.config[key] !== wanted[key]);
  if (!differs) return 'unchanged';
  // A server that is not clustered refuses to create an R3 stream, but nats-server 2.9 accepts the
  // update of an existing one to R3 and then fails to load it at its next restart ("Error
  // recreating stream ... replicas > 1 not supported in non-clustered mode"): the stream is gone.
  // Only a clustered server names its cluster in the stream info (checked with 2.9: a 3-node cluster
  // moves the stream to R3), so without that name the update is refused here.
  if (limits.replicas > 1 && !info.cluster?.name) {
    throw refused(
      name,
      limits,
      new Error('replicas > 1 not supported in non-clustered mode (the server has no cluster)'),
    );
  }
  try {
    await jsm.streams.update(name, wanted);
  } catch (error) {
    throw refused(name, limits, error as Error);
  }
  return 'updated';
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (/stream not found/i.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** One line naming the stream, the settings NATS was asked for and its answer. */
function refused(name: string, limits: StreamLimits | undefined, error: Error): Error {
  const { maxAgeMs, maxBytes, replicas } = limits ?? DEFAULT_STREAM_LIMITS;
  return new Error(
    `NATS refused stream ${name} with EVENTS_STREAM_REPLICAS=${replicas}, EVENTS_STREAM_MAX_BYTES=${maxBytes}, ` +
      `EVENTS_STREAM_MAX_AGE_HOURS=${maxAgeMs / 3_600_000}: ${error.message}`,
    { cause: error },
  );
}
