import { randomUUID } from 'node:crypto';
import type { UserIdentity } from '../../platform/auth/identity';
import type { EventEnvelope } from '../../platform/events/envelope';
import { createLogger } from '../../platform/logger';
import { EventProbe } from '../../test/support/eventProbe';
import { eventually } from '../../test/support/eventually';
import { startSubgraphs, type SubgraphHarness } from '../../test/support/subgraphHarness';
import { StockRejected, StockReserved } from '../inventory/events/contracts';
import { PaymentRefunded, PaymentSucceeded } from '../payments/events/contracts';
import { productsSubgraph } from '../products/definition';
import type { OrdersDeps } from './context';
import { ordersSubgraph } from './definition';
import { OrderPlaced, OrderStatusChanged } from './events/contracts';

const customer = (): UserIdentity => ({ id: randomUUID(), role: 'CUSTOMER' });

const PLACE = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
const CANCEL = `mutation ($id: ID!) { cancelOrder(id: $id) { status } }`;
const ORDER = `query ($id: ID!) { order(id: $id) { status history { status at } } }`;

interface OrderNow {
  status: string;
  history: { status: string; at: string }[];
}

let h: SubgraphHarness;
let probe: EventProbe;
let mug: string;

beforeAll(async () => {
  h = await startSubgraphs([productsSubgraph, ordersSubgraph]);
  probe = await EventProbe.connect(h.env.EVENTS_PREFIX!);
  const [{ id }] = await h.services.products.runtime.dataSource.query(
    `INSERT INTO products (sku, name, price_cents, currency) VALUES ('MUG', 'Mug', 1299, 'USD') RETURNING id`,
  );
  mug = id as string;
});
afterAll(async () => {
  await probe?.close();
  await h?.stop();
});

async function place(user: UserIdentity): Promise<string> {
  const input = { items: [{ productId: mug, quantity: 1 }], paymentMethod: { cardToken: 'tok_visa' } };
  const res = await h.request<{ placeOrder: { id: string } }>('orders', PLACE, { input }, { user });
  if (res.errors) throw new Error(res.errors[0].message);
  return res.data!.placeOrder.id;
}

async function orderNow(user: UserIdentity, id: string): Promise<OrderNow> {
  return (await h.request<{ order: OrderNow }>('orders', ORDER, { id }, { user })).data!.order;
}

async function reaching(user: UserIdentity, id: string, status: string): Promise<OrderNow> {
  let order: OrderNow | undefined;
  await eventually(async () => (order = await orderNow(user, id)).status === status);
  return order!;
}

/** The order's orders.statusChanged events in its outbox, in the order they were written. */
async function statusChanges(orderId: string) {
  const rows = (await h.services.orders.runtime.dataSource.query(
    'SELECT envelope FROM outbox WHERE type = $1 AND aggregate_id = $2 ORDER BY seq',
    [OrderStatusChanged.type, orderId],
  )) as { envelope: EventEnvelope }[];
  return rows.map((row) => OrderStatusChanged.read(row.envelope));
}

/** Status, seq and rejection reason of each change, for comparing with the history. */
async function movesOf(orderId: string) {
  return (await statusChanges(orderId)).map((c) => [c.status, c.seq, c.rejectionReason]);
}

describe('orders.statusChanged', () => {
  it('is written with the order when it is placed (PENDING, seq 1), beside orders.placed', async () => {
    const user = customer();
    const id = await place(user);
    expect(await statusChanges(id)).toEqual([
      {
        orderId: id,
        userId: user.id,
        status: 'PENDING',
        rejectionReason: null,
        seq: 1,
        changedAt: (await orderNow(user, id)).history[0].at,
      },
    ]);
    const written = (await h.services.orders.runtime.dataSource.query(
      'SELECT type FROM outbox WHERE aggregate_id = $1 ORDER BY seq',
      [id],
    )) as { type: string }[];
    expect(written.map((row) => row.type)).toEqual([OrderPlaced.type, OrderStatusChanged.type]);
  });

  it('is written once per move, RESERVED then PAID, numbered as the history and at its times', async () => {
    const user = customer();
    const id = await place(user);
    await probe.publish(StockReserved, { orderId: id }, { subject: id });
    await reaching(user, id, 'RESERVED');
    await probe.publish(PaymentSucceeded, { orderId: id, paymentId: randomUUID(), amountCents: 1299, currency: 'USD' });
    const order = await reaching(user, id, 'PAID');

    const changes = await statusChanges(id);
    expect(changes.map((c) => [c.status, c.seq])).toEqual([
      ['PENDING', 1],
      ['RESERVED', 2],
      ['PAID', 3],
    ]);
    expect(changes.map((c) => c.changedAt)).toEqual(order.history.map((c) => c.at));
    expect(changes.every((c) => c.userId === user.id && c.rejectionReason === null)).toBe(true);
  });

  it('is written for a rejection, with its reason', async () => {
    const user = customer();
    const id = await place(user);
    await probe.publish(StockRejected, { orderId: id, reason: 'OUT_OF_STOCK', productIds: [mug] }, { subject: id });
    await reaching(user, id, 'REJECTED');
    expect(await movesOf(id)).toEqual([
      ['PENDING', 1, null],
      ['REJECTED', 2, 'OUT_OF_STOCK'],
    ]);
  });

  it('is written for a cancel done at once, and for a PAID order only once its refund cancels it', async () => {
    const user = customer();
    const pending = await place(user);
    expect((await h.request('orders', CANCEL, { id: pending }, { user })).errors).toBeUndefined();
    expect(await movesOf(pending)).toEqual([
      ['PENDING', 1, null],
      ['CANCELLED', 2, null],
    ]);

    const paid = await place(user);
    await probe.publish(StockReserved, { orderId: paid }, { subject: paid });
    await reaching(user, paid, 'RESERVED');
    const payment = { orderId: paid, paymentId: randomUUID(), amountCents: 1299, currency: 'USD' };
    await probe.publish(PaymentSucceeded, payment);
    await reaching(user, paid, 'PAID');
    // Asking to cancel a PAID order changes no status: nothing is written until the refund.
    expect((await h.request('orders', CANCEL, { id: paid }, { user })).errors).toBeUndefined();
    expect(await statusChanges(paid)).toHaveLength(3);
    await probe.publish(PaymentRefunded, payment);
    await reaching(user, paid, 'CANCELLED');
    expect((await statusChanges(paid)).map((c) => [c.status, c.seq])).toEqual([
      ['PENDING', 1],
      ['RESERVED', 2],
      ['PAID', 3],
      ['CANCELLED', 4],
    ]);
  });

  it('is written when the deadline ends an order (REJECTED, TIMED_OUT)', async () => {
    const user = customer();
    const id = await place(user);
    await probe.publish(StockReserved, { orderId: id }, { subject: id });
    await reaching(user, id, 'RESERVED');
    const { orderService } = h.services.orders.deps as OrdersDeps;
    // A deadline of 0: every order not ended yet is overdue (in this suite's own database).
    await orderService.endOverdue(0, 100, createLogger('test', 'silent'));
    expect(await movesOf(id)).toEqual([
      ['PENDING', 1, null],
      ['RESERVED', 2, null],
      ['REJECTED', 3, 'TIMED_OUT'],
    ]);
  });
});
