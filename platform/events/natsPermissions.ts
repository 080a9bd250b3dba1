import { SERVICE_NAMES, type ServiceName } from '../serviceNames';
import { deadLetterStream, domainSubjects, streamOf, subjectOf } from './naming';

/**
 * What each service does on NATS, declared once: the nats-server users of npm start, the test
 * harness, compose and the chart are rendered from it (natsServerConfig.ts), so a compromised
 * products pod cannot forge `payments.succeeded` and nobody reads a stream it does not consume.
 * natsPermissions.test.ts checks it against the subgraphs' definitions and a real nats-server.
 */
export interface NatsAccess {
  /** The domain whose stream it owns: it creates the stream, sets its limits and publishes its events. */
  publishes?: string;
  /** Its durable pull consumers, each on a producing domain's stream (ConsumerSpec name and domain). */
  consumes?: readonly { consumer: string; domain: string }[];
  /** Event types it reads with ordered consumers and never acknowledges (the gateway's subscriptions). */
  follows?: readonly string[];
}

export const NATS_ACCESS: Readonly<Record<ServiceName, NatsAccess>> = {
  gateway: { follows: ['orders.statusChanged', 'inventory.stockChanged'] },
  // users and products publish and consume nothing: their users may do nothing at all.
  users: {},
  products: {},
  inventory: {
    publishes: 'inventory',
    consumes: [
      { consumer: 'inventory-on-orders', domain: 'orders' },
      { consumer: 'inventory-on-payments', domain: 'payments' },
    ],
  },
  orders: {
    publishes: 'orders',
    consumes: [
      { consumer: 'orders-on-inventory', domain: 'inventory' },
      { consumer: 'orders-on-payments', domain: 'payments' },
    ],
  },
  payments: {
    publishes: 'payments',
    consumes: [
      { consumer: 'payments-on-orders', domain: 'orders' },
      { consumer: 'payments-on-inventory', domain: 'inventory' },
    ],
  },
};

/** The operator's user (npm run events: lists, replays and drops dead letters): everything. */
export const NATS_ADMIN_USER = 'admin';
export type NatsUser = ServiceName | typeof NATS_ADMIN_USER;
export const NATS_USERS: readonly NatsUser[] = [...SERVICE_NAMES, NATS_ADMIN_USER];

export interface SubjectRules {
  allow?: string[];
  deny?: string[];
}

/** A nats-server user's `permissions`: what it may publish (JetStream API calls and acks are publishes too) and subscribe to. */
export interface NatsPermissions {
  publish: SubjectRules;
  subscribe: SubjectRules;
}

const API = '$JS.API';

/**
 * Where a service's request replies arrive (nats.js `inboxPrefix`): JetStream's answers and pulled
 * messages. Per service, so one service cannot read another's replies, i.e. its messages.
 */
export function natsInboxPrefix(prefix: string, service: string): string {
  return `_INBOX.${prefix}.${service}`;
}

export function natsPermissions(prefix: string, user: NatsUser): NatsPermissions {
  if (user === NATS_ADMIN_USER) return { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } };
  const access = NATS_ACCESS[user];
  const consumes = access.consumes ?? [];
  const follows = access.follows ?? [];
  if (!access.publishes && consumes.length === 0 && follows.length === 0) {
    // An empty allow list would mean "anything" to nats-server: deny everything instead.
    return { publish: { deny: ['>'] }, subscribe: { deny: ['>'] } };
  }
  const publish = new Set<string>([`${API}.INFO`]);
  const deny = new Set<string>();
  const streamApi = (stream: string, ...actions: string[]) => {
    for (const action of actions) publish.add(`${API}.STREAM.${action}.${stream}`);
  };
  if (access.publishes) {
    publish.add(domainSubjects(prefix, access.publishes));
    streamApi(streamOf(prefix, access.publishes), 'INFO', 'CREATE', 'UPDATE');
  }
  // Every service that ensures a stream ensures the shared dead-letter stream with it (domainStreams.ts).
  if (access.publishes || consumes.length > 0) streamApi(deadLetterStream(prefix), 'INFO', 'CREATE', 'UPDATE');
  for (const { consumer, domain } of consumes) {
    const stream = streamOf(prefix, domain);
    // Created when its producer has not started yet; never updated: the producer owns its limits.
    streamApi(stream, 'INFO', 'CREATE');
    for (const action of ['INFO', 'CREATE', 'DURABLE.CREATE', 'MSG.NEXT']) {
      publish.add(`${API}.CONSUMER.${action}.${stream}.${consumer}`);
    }
    // CONSUMER.CREATE names the filter subject after the consumer (nats-server >= 2.9).
    publish.add(`${API}.CONSUMER.CREATE.${stream}.${consumer}.>`);
    // ack, nak, working and term are publishes to the message's reply subject.
    publish.add(`$JS.ACK.${stream}.${consumer}.>`);
    publish.add(`${prefix}.deadletter.${consumer}.>`);
  }
  for (const type of follows) {
    const domain = type.split('.')[0];
    const stream = streamOf(prefix, domain);
    streamApi(stream, 'INFO');
    // An ordered consumer has a generated name, its filter subject after it; it is read, never acknowledged.
    publish.add(`${API}.CONSUMER.CREATE.${stream}.*.${subjectOf(prefix, type)}`);
    for (const action of ['INFO', 'MSG.NEXT', 'DELETE']) publish.add(`${API}.CONSUMER.${action}.${stream}.*`);
    // Not the durable consumers of that stream: taking their messages would delay the saga.
    for (const durable of durablesOn(domain)) {
      for (const action of ['MSG.NEXT', 'DELETE']) deny.add(`${API}.CONSUMER.${action}.${stream}.${durable}`);
      deny.add(`${API}.CONSUMER.CREATE.${stream}.${durable}.>`);
    }
  }
  return {
    publish: { allow: [...publish], ...(deny.size > 0 ? { deny: [...deny] } : {}) },
    subscribe: { allow: [`${natsInboxPrefix(prefix, user)}.>`] },
  };
}

function durablesOn(domain: string): string[] {
  return Object.values(NATS_ACCESS).flatMap((access) =>
    (access.consumes ?? []).filter((c) => c.domain === domain).map((c) => c.consumer),
  );
}
