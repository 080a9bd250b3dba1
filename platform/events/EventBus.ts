import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { Logger } from '../logger';
import { ensureDomainStream, type StreamLimits } from './domainStreams';
import { natsServers } from './natsServers';

const CONNECT_RETRY_MS = 500;

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
