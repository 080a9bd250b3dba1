import { createEvent } from '../../../platform/events/envelope';
import type { Commit } from '../../../platform/events/EventConsumer';
import { startSubgraphs, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { StockReserved } from '../../inventory/events/contracts';
import { OrderPlaced } from '../../orders/events/contracts';
import type { PaymentsDeps } from '../context';
import { paymentsSubgraph } from '../definition';
import { PaymentStatus } from '../domain/PaymentStatus';
import { eventually, SagaWorld } from '../testing/SagaWorld';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from './contracts';
import { onOrderPlaced } from './onOrderPlaced';
import { onStockReserved } from './onStockReserved';

let h: SubgraphHarness;
let world: SagaWorld;

beforeAll(async () => {
  h = await startSubgraphs([paymentsSubgraph]);
  world = await SagaWorld.connect(h);
});
afterAll(async () => {
  await world?.close();
  await h?.stop();
});

const ON_ORDERS = 'payments-on-orders';
const ON_INVENTORY = 'payments-on-inventory';

describe('payments in the order saga', () => {
  it('charges a placed order once its stock is reserved: one SUCCEEDED payment of its amount and payments.succeeded', async () => {
    const order = world.newOrder('tok_visa');
    const charges = await world.ledger('charge');

    await world.placed(order);
    const reserved = await world.reserved(order.orderId);
    const succeeded = await world.probe.waitFor(PaymentSucceeded, (d) => d.orderId === order.orderId);

    const payments = await world.paymentsOf(order.orderId);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      userId: order.userId,
      amountCents: 4250,
      currency: 'EUR',
      status: PaymentStatus.SUCCEEDED,
      providerRef: expect.stringMatching(/^sim_ch_/),
      failureReason: null,
    });
    expect(succeeded).toMatchObject({
      source: 'payments',
      subject: order.orderId,
      correlationId: reserved.correlationId,
      data: { orderId: order.orderId, paymentId: payments[0].id, amountCents: 4250, currency: 'EUR' },
    });
    expect(await world.ledger('charge')).toBe(charges + 1);
  });

  it('fails the payment of a declined card with PAYMENT_DECLINED and publishes payments.failed', async () => {
    const order = world.newOrder('tok_decline');

    await world.placed(order);
    await world.reserved(order.orderId);
    const failed = await world.probe.waitFor(PaymentFailed, (d) => d.orderId === order.orderId);

    const payments = await world.paymentsOf(order.orderId);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: PaymentStatus.FAILED, failureReason: 'PAYMENT_DECLINED' });
    expect(failed.data).toEqual({ orderId: order.orderId, paymentId: payments[0].id, reason: 'PAYMENT_DECLINED' });
  });

  it('fails the payment of something that is no card token with INVALID_CARD', async () => {
    const order = world.newOrder('4242424242424242');

    await world.placed(order);
    await world.reserved(order.orderId);
    const failed = await world.probe.waitFor(PaymentFailed, (d) => d.orderId === order.orderId);

    expect(failed.data.reason).toBe('INVALID_CARD');
    expect((await world.paymentsOf(order.orderId))[0]).toMatchObject({ failureReason: 'INVALID_CARD' });
  });

  it('charges once when the same inventory.reserved is delivered twice: one payment, one provider charge', async () => {
    const order = world.newOrder();
    const charges = await world.ledger('charge');
    const duplicates = await world.outcomes(ON_INVENTORY, 'duplicate');

    await world.placed(order);
    const reserved = await world.reserved(order.orderId);
    await world.redeliver(reserved);
    await world.probe.waitFor(PaymentSucceeded, (d) => d.orderId === order.orderId);
    await eventually(async () => (await world.outcomes(ON_INVENTORY, 'duplicate')) > duplicates);

    expect(await world.paymentsOf(order.orderId)).toHaveLength(1);
    expect(await world.ledger('charge')).toBe(charges + 1);
    expect((await world.eventsAbout(order.orderId)).map((e) => e.type)).toEqual(['payments.succeeded']);
  });

  it('charges an order whose inventory.reserved overtook orders.placed, once placed arrives', async () => {
    const order = world.newOrder();
    const retried = await world.outcomes(ON_INVENTORY, 'retried');

    await world.reserved(order.orderId);
    await eventually(async () => (await world.outcomes(ON_INVENTORY, 'retried')) > retried);
    expect(await world.paymentsOf(order.orderId)).toHaveLength(0);
    await world.placed(order);
    await world.probe.waitFor(PaymentSucceeded, (d) => d.orderId === order.orderId);

    const payments = await world.paymentsOf(order.orderId);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: PaymentStatus.SUCCEEDED, amountCents: order.amountCents });
  });

  it('refunds a paid order that is cancelled: REFUNDED, payments.refunded, exactly one refund also when cancelled twice', async () => {
    const order = world.newOrder();
    await world.placed(order);
    await world.reserved(order.orderId);
    await world.probe.waitFor(PaymentSucceeded, (d) => d.orderId === order.orderId);
    const refunds = await world.ledger('refund');
    const duplicates = await world.outcomes(ON_ORDERS, 'duplicate');

    const cancelled = await world.cancelled(order, true);
    await world.redeliver(cancelled);
    const refunded = await world.probe.waitFor(PaymentRefunded, (d) => d.orderId === order.orderId);
    await eventually(async () => (await world.outcomes(ON_ORDERS, 'duplicate')) > duplicates);

    const [payment] = await world.paymentsOf(order.orderId);
    expect(payment).toMatchObject({ status: PaymentStatus.REFUNDED, refundRef: expect.stringMatching(/^sim_re_/) });
    expect(refunded).toMatchObject({
      subject: order.orderId,
      correlationId: cancelled.correlationId,
      data: { orderId: order.orderId, paymentId: payment.id, amountCents: 4250, currency: 'EUR' },
    });
    expect(await world.ledger('refund')).toBe(refunds + 1);
    expect((await world.eventsAbout(order.orderId)).map((e) => e.type)).toEqual([
      'payments.succeeded',
      'payments.refunded',
    ]);
  });

  it('takes no money for an order cancelled before its stock was reserved', async () => {
    const order = world.newOrder();
    const charges = await world.ledger('charge');

    await world.placed(order);
    await world.handled(ON_ORDERS, await world.cancelled(order, false));
    await world.handled(ON_INVENTORY, await world.reserved(order.orderId));

    expect(await world.paymentsOf(order.orderId)).toHaveLength(0);
    expect(await world.ledger('charge')).toBe(charges);
    expect(await world.eventsAbout(order.orderId)).toEqual([]);
  });

  it('charges exactly once when the process dies after the charge and before the commit', async () => {
    const deps = h.services.payments.deps as PaymentsDeps;
    const charge = onStockReserved(deps.paymentService);
    const order = world.newOrder();
    const placed = createEvent(OrderPlaced, { source: 'test', subject: order.orderId, data: order });
    const reserved = createEvent(StockReserved, { source: 'test', subject: order.orderId, data: order });
    const commit: Commit = async (work) => {
      await world.db.transaction(work);
      return true;
    };
    const killed: Commit = () => Promise.reject(new Error('killed before the commit'));
    await onOrderPlaced(deps.paymentService)(placed, commit);
    const charges = await world.ledger('charge');

    await expect(charge(reserved, killed)).rejects.toThrow('killed');
    const [pending] = await world.paymentsOf(order.orderId);
    expect(pending.status).toBe(PaymentStatus.PENDING);
    await charge(reserved, commit);

    const payments = await world.paymentsOf(order.orderId);
    const [ledger] = (await world.db.query('SELECT provider_ref FROM provider_charges WHERE idempotency_key = $1', [
      pending.id,
    ])) as { provider_ref: string }[];
    expect(payments).toEqual([expect.objectContaining({ id: pending.id, status: PaymentStatus.SUCCEEDED })]);
    expect(payments[0].providerRef).toBe(ledger.provider_ref);
    expect(await world.ledger('charge')).toBe(charges + 1);
  });

  it("lets the order's owner read the saga's payment through payment(id)", async () => {
    const order = world.newOrder();
    await world.placed(order);
    await world.reserved(order.orderId);
    const { data } = await world.probe.waitFor(PaymentSucceeded, (d) => d.orderId === order.orderId);

    const response = await h.request(
      'payments',
      'query ($id: ID!) { payment(id: $id) { id status failureReason amount { amount currency } order { id } } }',
      { id: data.paymentId },
      { user: { id: order.userId, role: 'CUSTOMER' } },
    );

    expect(response.errors).toBeUndefined();
    expect(response.data?.payment).toEqual({
      id: data.paymentId,
      status: 'SUCCEEDED',
      failureReason: null,
      amount: { amount: 4250, currency: 'EUR' },
      order: { id: order.orderId },
    });
  });
});
