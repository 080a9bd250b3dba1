import {
  connect,
  type ConnectionOptions,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { Logger } from '../logger';
import { ensureDomainStream, type StreamLimits } from './domainStreams';
import { natsConnectionOptions } from './natsConnection';
import { natsErrorMessage } from './natsErrorMessage';
import { natsInboxPrefix } from './natsPermissions';
import type { NatsAuth, NatsTls } from './natsSettings';

const CONNECT_RETRY_MS = 500;

export interface EventBusOptions {
  url: string;
  prefix: string;
  /** The service's name: the connection's, shown by the NATS server, and its inbox (natsPermissions.ts). */
  name: string;
  log: Logger;
  /** NATS_USER and NATS_PASSWORD, NATS_TOKEN or NATS_CREDS_FILE; none: the server must ask for none. */
  auth?: NatsAuth;
  /** NATS_TLS_*: a CA to trust, a client certificate. */
  tls?: NatsTls;
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
  private readonly connectionOptions: ConnectionOptions;
  /** The last connect failure logged, so that a server away for an hour is one line, not 7,200. */
  private lastConnectError?: string;

  constructor(private readonly options: EventBusOptions) {
    this.prefix = options.prefix;
    // Built (and credential files read) now: a bad setting stops the start rather than every retry.
    this.connectionOptions = natsConnectionOptions({
      url: options.url,
      name: options.name,
      auth: options.auth,
      tls: options.tls,
      inboxPrefix: natsInboxPrefix(options.prefix, options.name),
    });
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
          ...this.connectionOptions,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          pingInterval: 10_000,
          // A refused password (rotated, say) is retried like an outage, not the end of the connection.
          ignoreAuthErrorAbort: true,
        });
        if (this.closed) {
          await nc.close();
          throw new Error('event bus closed');
        }
        this.connection = nc;
        this.options.log.info({ url: this.options.url, user: this.options.auth?.user }, 'connected to NATS');
        if (!nc.info?.auth_required) {
          // Allowed, for development against a plain nats-server; production should run the generated
          // per-service permissions (natsServerConfig.ts).
          this.options.log.warn(
            { url: this.options.url },
            'NATS without authentication: any client can publish any event (set NATS_USER and NATS_PASSWORD, see the README)',
          );
        }
        void this.watch(nc);
        return nc;
      } catch (error) {
        if (this.closed) throw error;
        const message = natsErrorMessage(error);
        if (message !== this.lastConnectError) {
          this.lastConnectError = message;
          this.options.log.warn({ url: this.options.url, err: message }, 'NATS connection failed; retrying');
        }
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
   * A consumer of another domain (`consumer`) only creates a missing stream: its producer owns it.
   */
  async ensureStream(domain: string, as: 'producer' | 'consumer' = 'producer'): Promise<void> {
    const limits = this.options.streamLimits;
    try {
      const jsm = await this.manager();
      const changes = await ensureDomainStream(jsm, this.prefix, domain, limits, as === 'consumer');
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
      if (status.type === 'error') {
        // A permission violation names the subject: what natsPermissions.ts does not grant this service.
        const { permissionContext: permission } = status as {
          permissionContext?: { operation: string; subject: string };
        };
        this.options.log.error({ err: status.data, ...permission }, 'NATS refused an operation');
      }
    }
  }
}
