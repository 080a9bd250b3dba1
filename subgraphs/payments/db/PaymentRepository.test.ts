import { startSubgraphs, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import type { PaymentsDeps } from '../context';
import { paymentsSubgraph } from '../definition';
import { PaymentStatus } from '../domain/PaymentStatus';
import { eventually, SagaWorld } from '../testing/SagaWorld';

let h: SubgraphHarness;
let world: SagaWorld;
let deps: PaymentsDeps;

beforeAll(async () => {
  h = await startSubgraphs([paymentsSubgraph]);
  world = await SagaWorld.connect(h);
  deps = h.services.payments.deps as PaymentsDeps;
});
afterAll(async () => {
  await world?.close();
  await h?.stop();
});

/** Statements of this database waiting for a lock another transaction holds. */
async function lockWaits(): Promise<number> {
  const [{ waiting }] = (await world.db.query(
    `SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  )) as { waiting: number }[];
  return waiting;
}

describe('starting a charge', () => {
  it("starts no second payment when another delivery's attempt ended while this one waited for the intent", async () => {
    const order = world.newOrder();
    await world.db.transaction((tx) => deps.paymentRepository.recordIntent(tx, order));
    const twin = world.db.createQueryRunner();
    await twin.connect();
    try {
      await twin.startTransaction();
      await twin.query('SELECT 1 FROM payment_intents WHERE order_id = $1 FOR UPDATE', [order.orderId]);
      const waiting = deps.paymentRepository.beginCharge(order.orderId);
      waiting.catch(() => undefined);
      await eventually(async () => (await lockWaits()) === 1);
      // The twin's whole attempt, declined, commits after the waiting statement took its snapshot.
      await twin.query(
        `INSERT INTO payments (order_id, user_id, amount_cents, currency, status, failure_reason)
         VALUES ($1, $2, $3, $4, 'FAILED', 'PAYMENT_DECLINED')`,
        [order.orderId, order.userId, order.amountCents, order.currency],
      );
      await twin.commitTransaction();

      await expect(waiting).rejects.toThrow('twin delivery');
    } finally {
      await twin.release();
    }

    expect(await deps.paymentRepository.beginCharge(order.orderId)).toEqual({ step: 'already-settled' });
    expect((await world.paymentsOf(order.orderId)).map((p) => p.status)).toEqual([PaymentStatus.FAILED]);
  });

  it('creates one PENDING payment for two deliveries at once, and both charge it with its key', async () => {
    const order = world.newOrder();
    await world.db.transaction((tx) => deps.paymentRepository.recordIntent(tx, order));

    const attempts = await Promise.allSettled([
      deps.paymentRepository.beginCharge(order.orderId),
      deps.paymentRepository.beginCharge(order.orderId),
    ]);
    // A delivery that lost the race fails, and its retry resumes the winner's payment.
    const retried = await deps.paymentRepository.beginCharge(order.orderId);

    const [pending] = await world.paymentsOf(order.orderId);
    expect(await world.paymentsOf(order.orderId)).toHaveLength(1);
    expect(pending.status).toBe(PaymentStatus.PENDING);
    for (const attempt of [...attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : [])), retried]) {
      expect(attempt).toMatchObject({ payment: { id: pending.id }, cardToken: order.cardToken });
    }
  });
});
