import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { SubgraphName } from '../../platform/config';
import { OrderByIdDocument, OrderUpdatedDocument, PaymentByIdDocument } from '../../client/generated/graphql';
import { ShopClient, signUp, type Order } from '../support/shopClient';
import { subscribeOverSse, subscribeOverWebSocket, type Subscribed } from '../support/subscriber';
import { startSupergraph, type Supergraph } from '../support/supergraph';

let sg: Supergraph;
let shop: ShopClient;
let stranger: string;
/** The customer's paid order: a real order id and a real payment id the stranger may not see. */
let paid: Order;

beforeAll(async () => {
  sg = await startSupergraph();
  shop = await ShopClient.signIn(sg);
  const product = await shop.newProduct(5);
  paid = await shop.until((await shop.place(product, 1)).id, ['PAID']);
  stranger = await signUp(sg, `stranger-${randomUUID().slice(0, 8)}@example.com`);
}, 200_000);

afterAll(async () => {
  await sg?.stop();
});

/** The gateway's answer as the bytes a client receives, and the SQL statements the owning subgraph ran for it. */
async function rawAnswer<V>(
  service: SubgraphName,
  document: TypedDocumentNode<unknown, V>,
  variables: V,
  token: string,
): Promise<{ status: number; body: string; queries: number }> {
  const before = await sg.dbQueries(service);
  const response = await fetch(sg.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = await response.text();
  return { status: response.status, body, queries: (await sg.dbQueries(service)) - before };
}

/** What ended a refused subscription, serialised: the errors of graphql-ws' error message, or SSE's frames. */
async function refusal<T>(sub: Subscribed<T>): Promise<string> {
  try {
    await sub.ended;
    return JSON.stringify(sub.frames);
  } catch (error) {
    return JSON.stringify(error);
  } finally {
    sub.close();
  }
}

describe("someone else's id answers exactly as an unknown one", () => {
  it('order(id): the same bytes, null and no error, after the same SQL queries', async () => {
    const theirs = await rawAnswer('orders', OrderByIdDocument, { id: paid.id }, stranger);
    const unknown = await rawAnswer('orders', OrderByIdDocument, { id: randomUUID() }, stranger);

    expect(JSON.parse(theirs.body)).toEqual({ data: { order: null } });
    expect(unknown).toEqual(theirs);
  });

  it('payment(id): the same bytes, null and no error, after the same SQL queries', async () => {
    const theirs = await rawAnswer('payments', PaymentByIdDocument, { id: paid.payment!.id }, stranger);
    const unknown = await rawAnswer('payments', PaymentByIdDocument, { id: randomUUID() }, stranger);

    expect(JSON.parse(theirs.body)).toEqual({ data: { payment: null } });
    expect(unknown).toEqual(theirs);
  });

  it.each([
    ['WebSocket', subscribeOverWebSocket],
    ['SSE', subscribeOverSse],
  ])('orderUpdated over %s: the same FORBIDDEN refusal up front, byte for byte', async (_name, subscribe) => {
    const follow = (id: string) => refusal(subscribe(sg.gatewayUrl, OrderUpdatedDocument, { id }, { token: stranger }));

    const theirs = await follow(paid.id);
    const unknown = await follow(randomUUID());

    expect(theirs).toContain('"code":"FORBIDDEN"');
    expect(theirs).not.toContain(paid.id);
    expect(unknown).toBe(theirs);
  });
});

describe('the owner and an ADMIN still see it', () => {
  it.each([
    ['the owner', () => shop.customerToken],
    ['an ADMIN', () => shop.adminToken],
  ])('%s reads order(id) and payment(id) and follows orderUpdated', async (_who, token) => {
    const order = await sg.execute(OrderByIdDocument, { id: paid.id }, token());
    const payment = await sg.execute(PaymentByIdDocument, { id: paid.payment!.id }, token());
    const followed = subscribeOverWebSocket(sg.gatewayUrl, OrderUpdatedDocument, { id: paid.id }, { token: token() });
    await followed.ended;

    expect(order.errors).toBeUndefined();
    expect(order.data?.order).toMatchObject({ id: paid.id, status: 'PAID' });
    expect(payment.errors).toBeUndefined();
    expect(payment.data?.payment).toMatchObject({ id: paid.payment!.id, status: 'SUCCEEDED', order: { id: paid.id } });
    // The order is over: its one frame, then the subscription completes.
    expect(followed.frames.map((frame) => frame.data?.orderUpdated.status)).toEqual(['PAID']);
  });
});
