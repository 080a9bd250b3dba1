import {
  connect,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { Logger } from '../logger';
import { deadLetterStream, domainSubjects, streamOf } from './naming';

const CONNECT_RETRY_MS = 500;

/** How long JetStream remembers a Nats-Msg-Id to drop a re-published event. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

export interface EventBusOptions {
  url: string;
  prefix: string;
  /** Connection name, shown by the NATS server. */
  name: string;
  log: Logger;
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

  /** Creates the domain's stream (and the dead-letter stream) unless they exist. */
  async ensureStream(domain: string): Promise<void> {
    await ensureDomainStream(await this.manager(), this.prefix, domain);
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

/** The domain's stream and the namespace's dead-letter stream, created unless they exist. */
export async function ensureDomainStream(jsm: JetStreamManager, prefix: string, domain: string): Promise<void> {
  await ensure(jsm, streamOf(prefix, domain), domainSubjects(prefix, domain));
  await ensure(jsm, deadLetterStream(prefix), `${prefix}.deadletter.>`);
}

async function ensure(jsm: JetStreamManager, name: string, subjects: string): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (error) {
    if (!/stream not found/i.test((error as Error).message)) throw error;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [subjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: DUPLICATE_WINDOW_MS * 1_000_000,
    });
  } catch (error) {
    // Another service created it first.
    if (!/already in use/i.test((error as Error).message)) throw error;
  }
}
