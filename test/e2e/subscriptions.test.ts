import {
  MyOrdersUpdatedDocument,
  OrderUpdatedDocument,
  ProductsUpdatedDocument,
  RestockDocument,
  type MyOrdersUpdatedSubscription,
  type OrderUpdatedSubscription,
} from '../../client/generated/graphql';
import { appendFile, copyFile } from 'node:fs/promises';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import path from 'node:path';
import { eventually } from '../support/eventually';
import { scrapeSum } from '../support/prometheusText';
import { shortLivedToken } from '../support/shortLivedToken';
import { ShopClient, signUp } from '../support/shopClient';
import {
  subscribeOverSse,
  subscribeOverWebSocket,
  type Frame,
  type SubscribeOptions,
  type Subscribed,
  webSocketConnection,
} from '../support/subscriber';
import { startSupergraph, type ExtraProcess, type Supergraph } from '../support/supergraph';

let sg: Supergraph;
let shop: ShopClient;

beforeAll(async () => {
  sg = await startSupergraph();
  shop = await ShopClient.signIn(sg);
}, 120_000);

afterAll(async () => {
  await sg?.stop();
});

type Transport = <T, V>(
  url: string,
  document: import('@graphql-typed-document-node/core').TypedDocumentNode<T, V>,
  variables: V,
  options?: SubscribeOptions,
) => Subscribed<T>;

const TRANSPORTS: [string, Transport][] = [
  ['WebSocket', subscribeOverWebSocket],
  ['SSE', subscribeOverSse],
];

function statuses(frames: Frame<OrderUpdatedSubscription>[]): string[] {
  return frames.map((f) => f.data!.orderUpdated.status);
}

describe.each(TRANSPORTS)('subscriptions over %s', (_name, subscribe) => {
  it('follows an order from PENDING to PAID with fields from every subgraph, then completes', async () => {
    const product = await shop.newProduct(10, 700);
    const order = await shop.place(product, 2);
    const sub = subscribe(sg.gatewayUrl, OrderUpdatedDocument, { id: order.id }, { token: shop.customerToken });
    await sub.ended;
    const seen = statuses(sub.frames);
    // The first frame is the order now; a fast saga may be past PENDING by then, never back.
    expect(['PENDING,RESERVED,PAID', 'RESERVED,PAID', 'PAID']).toContain(seen.join(','));
    const last = sub.frames[sub.frames.length - 1];
    expect(last.errors).toBeUndefined();
    expect(last.data!.orderUpdated.payment?.status).toBe('SUCCEEDED');
    expect(last.data!.orderUpdated.items[0].product).toMatchObject({ id: product, available: 8 });
    expect(last.extensions?.eventId).toMatch(/^orders:\d+$/);
  });

  it('sends every status of an order placed after subscribing, in order', async () => {
    const product = await shop.newProduct(10, 700);
    const mine = subscribe(sg.gatewayUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken });
    try {
      // myOrdersUpdated has no first frame: wait until the gateway watches, by a first order of the user.
      const first = await shop.place(product, 1);
      await mine.until(1);
      const order = await shop.place(product, 1);
      await eventuallyFrames(
        mine,
        (frames) => frames.filter((f) => f.data?.myOrdersUpdated.id === order.id).length >= 3,
      );
      const ofOrder = mine.frames.filter((f) => f.data!.myOrdersUpdated.id === order.id);
      expect(ofOrder.map((f) => f.data!.myOrdersUpdated.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
      expect(mine.frames.every((f) => [first.id, order.id].includes(f.data!.myOrdersUpdated.id))).toBe(true);
    } finally {
      mine.close();
    }
  });

  it("refuses another user's order and an unknown one up front alike, with FORBIDDEN", async () => {
    const product = await shop.newProduct(5);
    const order = await shop.place(product, 1);
    const stranger = await signUp(sg, `stranger-${Date.now()}-${_name}@example.com`);
    // Alike, so the refusal cannot tell a stranger which ids exist (test/e2e/existenceOracle.test.ts: byte for byte).
    for (const id of [order.id, '7f1b0c1e-0000-4000-8000-000000000000']) {
      const sub = subscribe(sg.gatewayUrl, OrderUpdatedDocument, { id }, { token: stranger });
      const refusal = await refusalOf(sub);
      expect(refusal.code).toBe('FORBIDDEN');
      expect(refusal.data).toBeFalsy();
    }
  });
});

describe('subscriptions through the gateway', () => {
  it('shows each user only their own orders in myOrdersUpdated', async () => {
    const product = await shop.newProduct(10);
    const other = await signUp(sg, `other-${Date.now()}@example.com`);
    const mine = subscribeOverWebSocket(sg.gatewayUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken });
    const theirs = subscribeOverSse(sg.gatewayUrl, MyOrdersUpdatedDocument, {}, { token: other });
    try {
      const myOrder = await shop.place(product, 1);
      const theirOrder = await shop.place(product, 1, 'tok_visa', other);
      await eventuallyFrames(mine, (frames) => hasStatus(frames, myOrder.id, 'PAID'));
      await eventuallyFrames(theirs, (frames) => hasStatus(frames, theirOrder.id, 'PAID'));
      expect(mine.frames.some((f) => f.data!.myOrdersUpdated.id === theirOrder.id)).toBe(false);
      expect(theirs.frames.some((f) => f.data!.myOrdersUpdated.id === myOrder.id)).toBe(false);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  it('sends productsUpdated for a restock and a sale, to anyone', async () => {
    const product = await shop.newProduct(10);
    const watched = subscribeOverWebSocket(sg.gatewayUrl, ProductsUpdatedDocument, { ids: [product] });
    try {
      // No first frame either: restock until the gateway is watching.
      await eventuallyFrames(watched, async (frames) => {
        if (frames.length > 0) return true;
        await sg.execute(RestockDocument, { productId: product, quantity: 1 }, shop.adminToken);
        return false;
      });
      const restocked = watched.frames[watched.frames.length - 1].data!.productsUpdated.available;
      await shop.place(product, 3);
      await eventuallyFrames(watched, (frames) =>
        frames.some((f) => f.data!.productsUpdated.available === restocked - 3),
      );
      expect(watched.frames.every((f) => f.data!.productsUpdated.id === product)).toBe(true);
    } finally {
      watched.close();
    }
  });

  it('resumes after the last event id: a client that left mid-saga gets the changes it missed', async () => {
    const product = await shop.newProduct(10);
    const first = subscribeOverSse(sg.gatewayUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken });
    let lastEventId: string;
    try {
      const warmUp = await shop.place(product, 1);
      await eventuallyFrames(first, (frames) => hasStatus(frames, warmUp.id, 'PAID'));
      lastEventId = first.frames[first.frames.length - 1].extensions!.eventId!;
    } finally {
      first.close();
    }
    // Away while a whole order goes by.
    const order = await shop.place(product, 1);
    const orderId = order.id;
    await shop.until(orderId, ['PAID']);
    for (const subscribe of [subscribeOverSse, subscribeOverWebSocket]) {
      const back = subscribe(sg.gatewayUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken, lastEventId });
      try {
        await eventuallyFrames(back, (frames) => hasStatus(frames, orderId, 'PAID'));
        const missed = back.frames.filter((f) => f.data!.myOrdersUpdated.id === orderId);
        expect(missed.map((f) => f.data!.myOrdersUpdated.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
      } finally {
        back.close();
      }
    }
  });

  it('refuses a WebSocket upgrade from an origin not on the CORS list', async () => {
    const sub = subscribeOverWebSocket(
      sg.gatewayUrl,
      MyOrdersUpdatedDocument,
      {},
      {
        token: shop.customerToken,
        origin: 'https://evil.example',
      },
    );
    await expect(sub.ended).rejects.toBeDefined();
    expect(sub.frames).toEqual([]);
  });

  it('refuses a query over SSE, a subscription over plain HTTP, and myOrdersUpdated without a token', async () => {
    const anonymous = subscribeOverSse(sg.gatewayUrl, MyOrdersUpdatedDocument, {});
    expect((await refusalOf(anonymous)).code).toBe('UNAUTHENTICATED');
    const query = subscribeOverSse(sg.gatewayUrl, RestockDocument as never, { productId: 'x', quantity: 1 } as never);
    expect((await refusalOf(query)).code).toBe('BAD_REQUEST');
    const overHttp = await sg.execute(MyOrdersUpdatedDocument, {}, shop.customerToken);
    expect(overHttp.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(overHttp.status).toBe(400);
  });
});

function hasStatus(frames: Frame<MyOrdersUpdatedSubscription>[], orderId: string, status: string): boolean {
  return frames.some((f) => f.data?.myOrdersUpdated.id === orderId && f.data.myOrdersUpdated.status === status);
}

async function eventuallyFrames<T>(
  sub: Subscribed<T>,
  done: (frames: Frame<T>[]) => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done(sub.frames))) {
    if (Date.now() > deadline) throw new Error(`not seen in ${timeoutMs} ms: ${JSON.stringify(sub.frames)}`);
    await Promise.race([
      sub.until(sub.frames.length + 1, 250).catch(() => undefined),
      sub.ended.catch(() => undefined),
    ]);
  }
}

/** What refused a subscription: the error message (WebSocket) or the one frame with errors (SSE). */
async function refusalOf<T>(sub: Subscribed<T>): Promise<{ code?: string; data?: unknown }> {
  try {
    await sub.ended;
  } catch (error) {
    const errors = error as { message: string; extensions?: { code?: string } }[];
    return { code: errors[0]?.extensions?.code };
  }
  const frame = sub.frames[0];
  return { code: frame?.errors?.[0]?.extensions?.code, data: frame?.data };
}

describe('subscriptions on a gateway with tight limits', () => {
  let limited: ExtraProcess;
  let limitedUrl: string;
  let supergraphCopy: string;

  beforeAll(async () => {
    supergraphCopy = path.join(sg.env.DATA_DIR, 'supergraph-copy.graphql');
    await copyFile(path.resolve(__dirname, '../../schema/supergraph.graphql'), supergraphCopy);
    limited = await sg.startGateway({
      SUBSCRIPTIONS_MAX_PER_CONNECTION: '2',
      SUBSCRIPTIONS_MAX_PER_USER: '3',
      MAX_DEPTH: '3',
      RATE_LIMIT_POINTS: '8',
      // Every subscription these tests send is one of client/operations', except the one refused for it.
      PERSISTED_ONLY: 'true',
      SUPERGRAPH_PATH: supergraphCopy,
      SHUTDOWN_DELAY_MS: '200',
      // Kept, not shown: the test reads the reload's line.
      LOG_LEVEL: 'info',
    });
    limitedUrl = `${limited.url}/graphql`;
  }, 60_000);

  afterAll(async () => {
    await limited?.stop();
  });

  const open = (transport: string) => scrapeSum(limited.url, 'subscriptions_open', { transport });

  it('caps the subscriptions of one connection and of one user, and gives a place back when one ends', async () => {
    const user = await signUp(sg, `capped-${Date.now()}@example.com`);
    const connection = webSocketConnection(limitedUrl, { token: user });
    const streams: Subscribed<unknown>[] = [];
    try {
      const first = connection.subscribe(MyOrdersUpdatedDocument, {});
      const second = connection.subscribe(MyOrdersUpdatedDocument, {});
      await eventually(async () => (await open('websocket')) === 2);
      const third = connection.subscribe(MyOrdersUpdatedDocument, {});
      expect((await refusalOf(third)).code).toBe('MAX_SUBSCRIPTIONS_EXCEEDED');

      // Two on the WebSocket and one SSE stream make the user's three.
      streams.push(subscribeOverSse(limitedUrl, MyOrdersUpdatedDocument, {}, { token: user }));
      await eventually(async () => (await open('sse')) === 1);
      const fourth = subscribeOverSse(limitedUrl, MyOrdersUpdatedDocument, {}, { token: user });
      expect((await refusalOf(fourth)).code).toBe('MAX_SUBSCRIPTIONS_EXCEEDED');

      first.close();
      await eventually(async () => (await open('websocket')) === 1);
      streams.push(subscribeOverSse(limitedUrl, MyOrdersUpdatedDocument, {}, { token: user }));
      await eventually(async () => (await open('sse')) === 2);
      second.close();
    } finally {
      connection.close();
      for (const stream of streams) stream.close();
    }
    await eventually(async () => (await open('websocket')) + (await open('sse')) === 0);
  });

  it('applies the safelist, the request limits and the rate limit to subscriptions', async () => {
    const deep = subscribeOverWebSocket(limitedUrl, OrderUpdatedDocument, { id: 'x' }, { token: shop.customerToken });
    expect((await refusalOf(deep)).code).toBe('MAX_DEPTH_EXCEEDED');
    const unlisted = parse('subscription Unlisted { myOrdersUpdated { id } }') as TypedDocumentNode<unknown, object>;
    const offList = subscribeOverSse(limitedUrl, unlisted, {}, { token: shop.customerToken });
    expect((await refusalOf(offList)).code).toBe('PERSISTED_QUERY_NOT_IN_LIST');

    const user = await signUp(sg, `budget-${Date.now()}@example.com`);
    const held: Subscribed<unknown>[] = [];
    const codes: (string | undefined)[] = [];
    try {
      // Eight points: three held, then refusals by the cap, each still spending its point, then by the budget.
      for (let i = 0; i < 3; i++) held.push(subscribeOverSse(limitedUrl, MyOrdersUpdatedDocument, {}, { token: user }));
      await eventually(async () => (await open('sse')) === 3);
      for (let i = 0; i < 6; i++) {
        codes.push((await refusalOf(subscribeOverSse(limitedUrl, MyOrdersUpdatedDocument, {}, { token: user }))).code);
      }
    } finally {
      for (const stream of held) stream.close();
    }
    expect(codes).toEqual([...Array(5).fill('MAX_SUBSCRIPTIONS_EXCEEDED'), 'RATE_LIMITED']);
  });

  it('ends a subscription when its token expires: WebSocket close 4403, SSE end of stream', async () => {
    const token = await shortLivedToken(sg, shop.customerToken, 3);
    const ws = subscribeOverWebSocket(limitedUrl, MyOrdersUpdatedDocument, {}, { token });
    const sse = subscribeOverSse(limitedUrl, MyOrdersUpdatedDocument, {}, { token });
    try {
      await expect(ws.ended).rejects.toMatchObject({ code: 4403 });
      await expect(sse.ended).resolves.toBeUndefined();
    } finally {
      ws.close();
      sse.close();
    }
  }, 20_000);

  it('keeps its subscriptions open when the supergraph file is reloaded, and counts what it delivers', async () => {
    const product = await shop.newProduct(10);
    const mine = subscribeOverWebSocket(limitedUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken });
    try {
      await eventually(async () => (await open('websocket')) === 1);
      await appendFile(supergraphCopy, '\n# reloaded\n');
      await eventually(async () => sg.output('gateway-2').some((line) => line.includes('supergraph reloaded')));
      const order = await shop.place(product, 1);
      await eventuallyFrames(mine, (frames) => hasStatus(frames, order.id, 'PAID'));
      expect(
        await scrapeSum(limited.url, 'subscription_events_delivered_total', { field: 'myOrdersUpdated' }),
      ).toBeGreaterThanOrEqual(3);
      expect(await scrapeSum(limited.url, 'subscription_delivery_latency_seconds_count')).toBeGreaterThanOrEqual(3);
    } finally {
      mine.close();
    }
  });

  it('delivers on every gateway replica to its own subscribers, nothing sticky', async () => {
    const product = await shop.newProduct(10);
    const onMain = subscribeOverWebSocket(sg.gatewayUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken });
    const onLimited = subscribeOverSse(limitedUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken });
    try {
      await eventually(async () => (await open('sse')) === 1);
      await eventually(
        async () => (await scrapeSum(sg.baseUrl.gateway, 'subscriptions_open', { transport: 'websocket' })) >= 1,
      );
      const order = await shop.place(product, 1);
      for (const sub of [onMain, onLimited]) {
        await eventuallyFrames(sub, (frames) => hasStatus(frames, order.id, 'PAID'));
        const statuses = sub.frames.filter((f) => f.data!.myOrdersUpdated.id === order.id);
        expect(statuses.map((f) => f.data!.myOrdersUpdated.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
      }
    } finally {
      onMain.close();
      onLimited.close();
    }
  });

  it('on SIGTERM closes WebSockets with 1001 and ends SSE streams; a client resuming on another gateway misses nothing', async () => {
    const product = await shop.newProduct(10);
    const ws = subscribeOverWebSocket(limitedUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken });
    const sse = subscribeOverSse(limitedUrl, MyOrdersUpdatedDocument, {}, { token: shop.customerToken });
    await eventually(async () => (await open('websocket')) === 1 && (await open('sse')) === 1);
    const before = await shop.place(product, 1);
    await eventuallyFrames(sse, (frames) => hasStatus(frames, before.id, 'PAID'));
    const lastEventId = sse.frames[sse.frames.length - 1].extensions!.eventId!;

    limited.signal('SIGTERM');
    await expect(ws.ended).rejects.toMatchObject({ code: 1001 });
    await expect(sse.ended).resolves.toBeUndefined();
    await limited.exited();

    // While no gateway follows this client, an order goes by; the next gateway replays it from the stream.
    const during = await shop.place(product, 1);
    await shop.until(during.id, ['PAID']);
    const next = await sg.startGateway({});
    const back = subscribeOverSse(
      `${next.url}/graphql`,
      MyOrdersUpdatedDocument,
      {},
      {
        token: shop.customerToken,
        lastEventId,
      },
    );
    try {
      await eventuallyFrames(back, (frames) => hasStatus(frames, during.id, 'PAID'));
      const missed = back.frames.filter((f) => f.data!.myOrdersUpdated.id === during.id);
      expect(missed.map((f) => f.data!.myOrdersUpdated.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
    } finally {
      back.close();
      await next.stop();
    }
  });
});
