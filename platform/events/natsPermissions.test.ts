import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from 'nats';
import pino from 'pino';
import { FOLLOWED_CHANGES } from '../../gateway/subscriptions/subscriptionFields';
import { subgraphDefinitions } from '../../scripts/subgraphDefinitions';
import { eventually } from '../../test/support/eventually';
import { TestNatsServer } from '../../test/support/testNatsServer';
import { testNamespace } from '../../test/support/testEnv';
import { SUBGRAPH_NAMES } from '../serviceNames';
import { EventBus } from './EventBus';
import { ensureDomainStream } from './domainStreams';
import { streamOf, subjectOf } from './naming';
import { NATS_ACCESS, natsInboxPrefix, type NatsUser } from './natsPermissions';

const { prefix } = testNamespace();
let nats: TestNatsServer;
let admin: NatsConnection;
const opened: NatsConnection[] = [];

/** A connection as `user`, with its own inbox, as EventBus makes it. */
async function as(user: NatsUser): Promise<NatsConnection> {
  const nc = await connect({ ...nats.connectionOptions(user), inboxPrefix: natsInboxPrefix(prefix, user) });
  opened.push(nc);
  return nc;
}

async function messagesIn(domain: string): Promise<number> {
  return (await (await admin.jetstreamManager()).streams.info(streamOf(prefix, domain))).state.messages;
}

beforeAll(async () => {
  nats = await TestNatsServer.start({ authenticated: { prefix } });
  admin = await connect(nats.connectionOptions());
  const jsm = await admin.jetstreamManager();
  for (const domain of ['orders', 'inventory', 'payments']) await ensureDomainStream(jsm, prefix, domain);
  await jsm.consumers.add(streamOf(prefix, 'orders'), {
    durable_name: 'inventory-on-orders',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  await admin.jetstream().publish(subjectOf(prefix, 'orders.placed'), '{}');
});

afterAll(async () => {
  await Promise.all(opened.map((nc) => nc.close().catch(() => undefined)));
  await admin?.close();
  await nats?.remove();
});

describe('the NATS permissions declaration', () => {
  it('names what each subgraph publishes and consumes, as its definition does', () => {
    for (const name of SUBGRAPH_NAMES) {
      const events = subgraphDefinitions[name].events;
      const consumers = (events?.consumers?.({} as never) ?? []).map((c) => ({ consumer: c.name, domain: c.domain }));
      expect({ name, publishes: NATS_ACCESS[name].publishes, consumes: NATS_ACCESS[name].consumes ?? [] }).toEqual({
        name,
        publishes: events?.publishes ? name : undefined,
        consumes: consumers,
      });
    }
  });

  it('names the changes the gateway follows for its subscriptions', () => {
    expect(NATS_ACCESS.gateway.follows).toEqual(FOLLOWED_CHANGES.map((f) => f.contract.type));
  });
});

describe('a nats-server with the per-service users', () => {
  it('refuses products publishing payments.succeeded: nothing reaches the payments stream', async () => {
    const before = await messagesIn('payments');
    const products = await as('products');
    await expect(products.jetstream().publish(subjectOf(prefix, 'payments.succeeded'), '{}')).rejects.toThrow(
      /Permissions Violation/,
    );
    // Not even a bare publish, which waits for no answer.
    products.publish(subjectOf(prefix, 'payments.succeeded'), '{}');
    await products.flush();
    expect(await messagesIn('payments')).toBe(before);
    await eventually(async () =>
      /User "products", Subject "[^"]*payments\.succeeded"/.test(nats.permissionViolations().join('\n')),
    );
  });

  it('refuses another event service forging payments.succeeded too', async () => {
    const before = await messagesIn('payments');
    const inventory = await as('inventory');
    await expect(inventory.jetstream().publish(subjectOf(prefix, 'payments.succeeded'), '{}')).rejects.toThrow();
    expect(await messagesIn('payments')).toBe(before);
  });

  it('lets payments publish its own events to its stream', async () => {
    const before = await messagesIn('payments');
    const payments = await as('payments');
    const ack = await payments.jetstream().publish(subjectOf(prefix, 'payments.succeeded'), '{}', { msgID: 'p-1' });
    expect(ack.stream).toBe(streamOf(prefix, 'payments'));
    expect(await messagesIn('payments')).toBe(before + 1);
  });

  it('refuses products reading the orders stream, by subscription or by consumer', async () => {
    const products = await as('products');
    const sub = products.subscribe(subjectOf(prefix, 'orders.placed'));
    const read = (async () => {
      for await (const message of sub) return `read ${message.subject}`;
      return 'ended';
    })().catch((error: Error) => error.message);
    await products.flush();
    expect(await read).toMatch(/Permissions Violation for Subscription/);
    await expect(
      products.jetstream().consumers.get(streamOf(prefix, 'orders'), 'inventory-on-orders'),
    ).rejects.toThrow();
  });

  it('refuses payments taking inventory’s messages from its durable consumer', async () => {
    const payments = await as('payments');
    await expect(
      payments.jetstream().consumers.get(streamOf(prefix, 'orders'), 'inventory-on-orders'),
    ).rejects.toThrow();
  });

  it('lets the gateway follow orders.statusChanged, but not pull from inventory’s consumer', async () => {
    const gateway = await as('gateway');
    const js = gateway.jetstream();
    const follow = await js.consumers.get(streamOf(prefix, 'orders'), {
      filterSubjects: subjectOf(prefix, 'orders.statusChanged'),
    });
    await admin.jetstream().publish(subjectOf(prefix, 'orders.statusChanged'), '{"n":1}');
    const message = await follow.next({ expires: 5_000 });
    expect(message?.json()).toEqual({ n: 1 });
    const violations = nats.permissionViolations().length;
    gateway.publish(`$JS.API.CONSUMER.MSG.NEXT.${streamOf(prefix, 'orders')}.inventory-on-orders`, '{"batch":1}');
    await gateway.flush();
    const refused = () => nats.permissionViolations().slice(violations).join('\n');
    await eventually(async () => refused() !== '');
    expect(refused()).toMatch(/User "gateway", Subject "[^"]*MSG\.NEXT[^"]*inventory-on-orders"/);
  });

  it('refuses an unknown user, a wrong password and no credentials at all', async () => {
    await expect(connect({ servers: nats.url, user: 'mallory', pass: 'guess' })).rejects.toThrow(
      /Authorization Violation/,
    );
    await expect(connect({ servers: nats.url, user: 'payments', pass: 'guess' })).rejects.toThrow(
      /Authorization Violation/,
    );
    await expect(connect({ servers: nats.url })).rejects.toThrow(/Authorization Violation/);
  });

  it('connects an EventBus with a service’s settings, without the unauthenticated warning', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const env = nats.env('orders');
    const bus = new EventBus({
      url: env.NATS_URL,
      prefix,
      name: 'orders',
      log,
      auth: { user: env.NATS_USER, password: env.NATS_PASSWORD },
    });
    try {
      await bus.ready();
      await bus.ensureStream('orders');
      await bus.ensureStream('payments', 'consumer');
      expect(lines.join('')).not.toMatch(/NATS without authentication|NATS refused/);
    } finally {
      await bus.close();
    }
  });

  it('warns once that any client can publish any event when NATS asks for no credentials', async () => {
    const open = await TestNatsServer.start();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const bus = new EventBus({ url: open.url, prefix, name: 'orders', log });
    try {
      await bus.ready();
      expect(
        lines.filter((line) => /NATS without authentication: any client can publish any event/.test(line)),
      ).toHaveLength(1);
    } finally {
      await bus.close();
      await open.remove();
    }
  });
});
