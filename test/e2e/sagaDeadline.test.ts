import { StockReserved } from '../../subgraphs/inventory/events/contracts';
import { PaymentSucceeded } from '../../subgraphs/payments/events/contracts';
import { EventProbe } from '../support/eventProbe';
import { eventually } from '../support/eventually';
import { scrapeSum } from '../support/prometheusText';
import { ShopClient } from '../support/shopClient';
import { startSupergraph, type Supergraph } from '../support/supergraph';

/** Short, so the saga's own deadline is seen within the test; in production it is 15 minutes. */
const ORDER_DEADLINE_MS = 4_000;

let sg: Supergraph;
let probe: EventProbe;
let shop: ShopClient;

beforeAll(async () => {
  sg = await startSupergraph({
    ORDER_DEADLINE: `${ORDER_DEADLINE_MS}ms`,
    EVENTS_ACK_WAIT_MS: '5000',
    // A charge takes this long, so a test can stop orders between the reservation and the payment's outcome.
    PAYMENT_PROVIDER_LATENCY_MS: '1500',
  });
  probe = await EventProbe.connect(sg.env.EVENTS_PREFIX, sg.nats!.connectionOptions());
  shop = await ShopClient.signIn(sg);
}, 200_000);

afterAll(async () => {
  await probe?.close();
  await sg?.stop();
});

async function paymentsOf(orderId: string) {
  return sg.sql<{ id: string; status: string }>('payments', 'SELECT id, status FROM payments WHERE order_id = $1', [
    orderId,
  ]);
}

async function ledgerOf(paymentIds: string[]) {
  return sg.sql<{ kind: string; idempotency_key: string }>(
    'payments',
    `SELECT kind, idempotency_key FROM provider_charges
      WHERE idempotency_key = ANY($1) OR idempotency_key = ANY(SELECT 'refund:' || unnest($1::text[]))
      ORDER BY kind`,
    [paymentIds],
  );
}

describe('the order deadline', () => {
  it('ends an order whose inventory.reserved went to the dead letters TIMED_OUT, releases its stock and charges nothing, even when the dead letter is replayed', async () => {
    const product = await shop.newProduct(5);
    // payments away, so its consumer has not taken the reservation when it is dead-lettered.
    await sg.stopService('payments');
    let orderId: string;
    let reservedId: string;
    try {
      orderId = (await shop.place(product, 2)).id;
      await shop.until(orderId, ['RESERVED'], 20_000, { partial: true });
      expect(await shop.available(product)).toBe(3);
      reservedId = (await probe.waitFor(StockReserved, (d) => d.orderId === orderId)).id;
      await probe.deadLetterFrom('payments-on-inventory', 'inventory', reservedId);
    } finally {
      await sg.restart('payments');
    }

    const ended = await shop.until(orderId, ['REJECTED', 'PAID', 'CANCELLED'], 20_000);
    expect(ended).toMatchObject({ status: 'REJECTED', rejectionReason: 'TIMED_OUT', payment: null });
    expect(ended.history.map((c) => c.status)).toEqual(['PENDING', 'RESERVED', 'REJECTED']);
    await eventually(async () => (await shop.available(product)) === 5, 10_000);
    const [reservation] = await sg.sql('inventory', 'SELECT status FROM reservations WHERE order_id = $1', [orderId]);
    expect(reservation).toEqual({ status: 'RELEASED' });

    // Replayed once the order is over (`npm run events -- replay <event id>`): payments handles it now, and
    // finds the order ended.
    const [dead] = (await probe.deadLetters()).filter((d) => d.eventId === reservedId);
    expect(dead).toMatchObject({ consumer: 'payments-on-inventory' });
    const handled = () =>
      scrapeSum(sg.baseUrl.payments, 'events_consumed_total', {
        consumer: 'payments-on-inventory',
        type: 'inventory.reserved',
        outcome: 'done',
      });
    const handledBefore = await handled();
    expect(await probe.replay(reservedId)).toBe(1);
    await eventually(async () => (await handled()) === handledBefore + 1, 10_000);
    expect((await probe.deadLetters()).filter((d) => d.eventId === reservedId)).toEqual([]);
    expect(await paymentsOf(orderId)).toEqual([]);
    const [intent] = await sg.sql(
      'payments',
      'SELECT cancelled_at IS NOT NULL AS ended FROM payment_intents WHERE order_id = $1',
      [orderId],
    );
    expect(intent).toEqual({ ended: true });
    expect(await shop.available(product)).toBe(5);

    expect(await scrapeSum(sg.baseUrl.orders, 'orders_timed_out_total')).toBeGreaterThanOrEqual(1);
    expect(await scrapeSum(sg.baseUrl.orders, 'orders_saga_overdue')).toBe(0);
  }, 90_000);

  it('refunds an order charged before its deadline whose payment never reached orders, and restocks it', async () => {
    const product = await shop.newProduct(5, 900);
    const orderId = (await shop.place(product, 1)).id;
    await shop.until(orderId, ['RESERVED']);
    // orders goes away before the charge (1.5 s at the provider) has an outcome.
    sg.signal('orders', 'SIGKILL');
    await sg.exited('orders');
    const succeeded = await probe.waitFor(PaymentSucceeded, (d) => d.orderId === orderId);
    await probe.deadLetterFrom('orders-on-payments', 'payments', succeeded.id);
    await sg.restart('orders');

    const ended = await shop.until(orderId, ['REJECTED', 'PAID', 'CANCELLED'], 20_000);
    expect(ended).toMatchObject({ status: 'REJECTED', rejectionReason: 'TIMED_OUT' });
    // A payment and its order agree: the money taken is given back, the units sold come back.
    await eventually(async () => (await paymentsOf(orderId))[0]?.status === 'REFUNDED', 20_000);
    const payments = await paymentsOf(orderId);
    expect(payments.map((p) => p.status)).toEqual(['REFUNDED']);
    expect((await ledgerOf([payments[0].id])).map((row) => row.kind)).toEqual(['charge', 'refund']);
    await eventually(async () => (await shop.available(product)) === 5, 10_000);
    const [reservation] = await sg.sql('inventory', 'SELECT status FROM reservations WHERE order_id = $1', [orderId]);
    expect(reservation).toEqual({ status: 'RESTOCKED' });
    expect((await shop.order(orderId)).payment?.status).toBe('REFUNDED');
  }, 90_000);
});
