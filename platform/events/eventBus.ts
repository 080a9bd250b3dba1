import {
  connect,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import type { Logger } from '../logger';
import { deadLetterStream, domainSubjects, streamOf } from './naming';

const CONNECT_RETRY_MS = 500;

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

export interface EventBusOptions {
  url: string;
  prefix: string;
  /** Connection name, shown by the NATS server. */
  name: string;
  log: Logger;
  /**
   * The limits of every stream this service ensures: applied to a new stream, and to an existing
   * one whose limits differ. Without them streams are created with DEFAULT_STREAM_LIMITS and
   * existing ones are left as they are.
   */
  streamLimits?: StreamLimits;
}

/**
 * The service's NATS connection. It connects in the background and
 * reconnects forever: a service starts and serves while NATS is down (the
 * outbox holds what it would publish), and catches up when NATS is back.
 */
export class EventBus {
  readonly prefix: string;
  private connection?: NatsConnection;
  private readonly connecting: Promise<NatsConnection>;
  private closed = false;
  /** Between a 'disconnect' and the 'reconnect' the connection is open but cannot reach NATS. */
  private disconnected = false;
  private cancelWait?: () => void;

  constructor(private readonly options: EventBusOptions) {
    this.prefix = options.prefix;
    this.connecting = this.connectUntilUp();
    // A failure here only means the bus was closed before NATS came; nobody waits for it then.
    this.connecting.catch(() => undefined);
  }

  /**
   * Tries until NATS answers (our own loop rather than the client's
   * waitOnFirstConnect, so that close() can end the waiting); once
   * connected, the client reconnects by itself forever.
   */
  private async connectUntilUp(): Promise<NatsConnection> {
    for (;;) {
      if (this.closed) throw new Error('event bus closed');
      try {
        const nc = await connect({
          servers: natsServers(this.options.url),
          name: this.options.name,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          pingInterval: 10_000,
        });
        if (this.closed) {
          await nc.close();
          throw new Error('event bus closed');
        }
        this.connection = nc;
        this.options.log.info({ url: this.options.url }, 'connected to NATS');
        void this.watch(nc);
        return nc;
      } catch (error) {
        if (this.closed) throw error;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, CONNECT_RETRY_MS);
          this.cancelWait = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  get isConnected(): boolean {
    return !!this.connection && !this.connection.isClosed() && !this.closed;
  }

  /** Connected and reaching NATS now: false while the client waits to reconnect (readiness, nats_connected). */
  get isOnline(): boolean {
    return this.isConnected && !this.disconnected;
  }

  /** Resolves once connected (at once when already). */
  async ready(): Promise<NatsConnection> {
    return this.connecting;
  }

  async jetstream(): Promise<JetStreamClient> {
    return (await this.ready()).jetstream();
  }

  async manager(): Promise<JetStreamManager> {
    return (await this.ready()).jetstreamManager();
  }

  /**
   * Creates the domain's stream (and the dead-letter stream) unless they exist, and brings their
   * limits to this service's. A refusal is logged here too: some callers (the start of a
   * publishing service) only retry, and the operator must see why the setting is not applied.
   */
  async ensureStream(domain: string): Promise<void> {
    const limits = this.options.streamLimits;
    try {
      const changes = await ensureDomainStream(await this.manager(), this.prefix, domain, limits);
      for (const [stream, change] of Object.entries(changes)) {
        if (change !== 'unchanged') this.options.log.info({ stream, limits, change }, 'stream limits applied');
      }
    } catch (error) {
      this.options.log.error({ err: (error as Error).message, domain, limits }, 'stream not ensured');
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelWait?.();
    if (this.connection) await this.connection.drain().catch(() => undefined);
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.disconnected = true;
        this.options.log.warn('NATS disconnected; reconnecting');
      }
      if (status.type === 'reconnect') {
        this.disconnected = false;
        this.options.log.info('NATS reconnected');
      }
    }
  }
}

/** NATS_URL may list the servers of a cluster: `nats://a:4222,nats://b:4222`. */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
}

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
 * undo the limits the services under test set).
 */
export async function ensureDomainStream(
  jsm: JetStreamManager,
  prefix: string,
  domain: string,
  limits?: StreamLimits,
): Promise<Record<string, StreamChange>> {
  const stream = streamOf(prefix, domain);
  const deadLetters = deadLetterStream(prefix);
  return {
    [stream]: await ensure(jsm, stream, domainSubjects(prefix, domain), limits, DiscardPolicy.Old),
    [deadLetters]: await ensure(jsm, deadLetters, `${prefix}.deadletter.>`, limits, DiscardPolicy.New),
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
  limits: StreamLimits | undefined,
  discard: DiscardPolicy,
): Promise<StreamChange> {
  const wanted = limitSettings(limits ?? DEFAULT_STREAM_LIMITS, discard);
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
      if (!/already in use/i.test((error as Error).message)) throw refused(name, limits, error as Error);
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
