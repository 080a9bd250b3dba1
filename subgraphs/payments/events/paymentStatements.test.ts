import { runAsRequest } from '../../../platform/db/queryOrigin';
import { createEvent } from '../../../platform/events/envelope';
import type { Commit } from '../../../platform/events/EventConsumer';
import { startSubgraphs, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { StockReserved } from '../../inventory/events/contracts';
import { OrderPlaced } from '../../orders/events/contracts';
import type { PaymentsDeps } from '../context';
import { paymentsSubgraph } from '../definition';
import { PaymentStatus } from '../domain/PaymentStatus';
import { SagaWorld } from '../testing/SagaWorld';
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

/**
 * The SQL statements a handler runs, counted by db_queries_total: the work is
 * labelled as a request's, so the relay and the consumers in the background
 * are not counted. `commit` here is a bare transaction (BEGIN, COMMIT); the
 * event consumer's adds its inbox row to it.
 */
async function statementsOf(work: () => Promise<void>): Promise<number> {
  const before = await h.requestQueries('payments');
  await runAsRequest(work);
  return (await h.requestQueries('payments')) - before;
}

const commit: Commit = async (work) => {
  await world.db.transaction(work);
  return true;
};

describe('what the order saga costs payments in SQL statements', () => {
  it('records a placed order in one statement and charges it in five, each step in one transaction', async () => {
    const deps = h.services.payments.deps as PaymentsDeps;
    const order = world.newOrder();
    const placed = createEvent(OrderPlaced, { source: 'test', subject: order.orderId, data: order });
    const reserved = createEvent(StockReserved, { source: 'test', subject: order.orderId, data: order });
    const charge = () => onStockReserved(deps.paymentService)(reserved, commit);

    // BEGIN, the intent, COMMIT.
    expect(await statementsOf(() => onOrderPlaced(deps.paymentService)(placed, commit))).toBe(3);
    // BEGIN, lock the intent with the latest payment, the PENDING payment, COMMIT; the provider's
    // ledger; BEGIN, settle, the outbox row, COMMIT.
    expect(await statementsOf(charge)).toBe(9);
    // A redelivery after the payment settled: BEGIN, lock the intent, COMMIT; BEGIN, COMMIT.
    expect(await statementsOf(charge)).toBe(5);

    expect((await world.paymentsOf(order.orderId)).map((p) => p.status)).toEqual([PaymentStatus.SUCCEEDED]);
  });
});
