import {
  MyOrdersUpdatedDocument,
  OrderUpdatedDocument,
  ProductsUpdatedDocument,
  RestockDocument,
  type MyOrdersUpdatedSubscription,
  type OrderUpdatedSubscription,
} from '../../client/generated/graphql';
import { ShopClient, signUp } from '../support/shopClient';
import {
  subscribeOverSse,
  subscribeOverWebSocket,
  type Frame,
  type SubscribeOptions,
  type Subscribed,
} from '../support/subscriber';
import { startSupergraph, type Supergraph } from '../support/supergraph';

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

  it("refuses another user's order up front with FORBIDDEN, and an unknown one with NOT_FOUND", async () => {
    const product = await shop.newProduct(5);
    const order = await shop.place(product, 1);
    const stranger = await signUp(sg, `stranger-${Date.now()}-${_name}@example.com`);
    for (const [id, code] of [
      [order.id, 'FORBIDDEN'],
      ['7f1b0c1e-0000-4000-8000-000000000000', 'NOT_FOUND'],
    ]) {
      const sub = subscribe(sg.gatewayUrl, OrderUpdatedDocument, { id }, { token: stranger });
      const refusal = await refusalOf(sub);
      expect(refusal.code).toBe(code);
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
