import { randomUUID } from 'node:crypto';
import type { UserIdentity } from '../../../platform/auth/identity';
import { startSubgraphs, type GraphQLResponse, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { paymentsSubgraph } from '../definition';
import { PaymentStatus } from '../domain/PaymentStatus';
import { arrangePayment, type ArrangedPayment } from '../testing/arrangePayment';

const customer = (): UserIdentity => ({ id: randomUUID(), role: 'CUSTOMER' });
const admin: UserIdentity = { id: randomUUID(), role: 'ADMIN' };

// The gateway asks payments for Order.payment with Order references, exactly like this.
const ORDER_PAYMENTS = /* GraphQL */ `
  query OrderPayments($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Order {
        id
        payment {
          id
          status
          failureReason
          order {
            id
          }
        }
      }
    }
  }
`;

type OrderPayments = { _entities: { id: string; payment: { id: string; status: string } | null }[] };

let h: SubgraphHarness;

beforeAll(async () => {
  h = await startSubgraphs([paymentsSubgraph]);
});
afterAll(() => h?.stop());

const arrange = (payment: ArrangedPayment) => arrangePayment(h.services.payments.runtime.dataSource, payment);
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);

function orderPayments(orderIds: string[], user?: UserIdentity): Promise<GraphQLResponse<OrderPayments>> {
  const representations = orderIds.map((id) => ({ __typename: 'Order', id }));
  return h.request('payments', ORDER_PAYMENTS, { representations }, { user });
}

async function dbQueries(): Promise<number> {
  return h.requestQueries('payments');
}

describe('Order.payment', () => {
  it("gives each of the owner's orders its latest payment, and null to an order never charged", async () => {
    const owner = customer();
    const orderId = randomUUID();
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await arrange({ userId: owner.id, orderId, status: PaymentStatus.FAILED, createdAt: aMinuteAgo });
    const latest = await arrange({ userId: owner.id, orderId, status: PaymentStatus.SUCCEEDED });
    const other = await arrange({ userId: owner.id, status: PaymentStatus.PENDING });
    const neverCharged = randomUUID();

    const response = await orderPayments([orderId, other.orderId, neverCharged], owner);

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([
      { id: orderId, payment: { id: latest.id, status: 'SUCCEEDED', failureReason: null, order: { id: orderId } } },
      {
        id: other.orderId,
        payment: { id: other.id, status: 'PENDING', failureReason: null, order: { id: other.orderId } },
      },
      { id: neverCharged, payment: null },
    ]);
  });

  it("shows an ADMIN the payment of any customer's order", async () => {
    const { id, orderId } = await arrange({ userId: customer().id });

    const response = await orderPayments([orderId], admin);

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities[0].payment).toMatchObject({ id });
  });

  it("answers the payment of another customer's order as that of an order never charged: null, no error", async () => {
    const { orderId } = await arrange({ userId: customer().id });
    const neverCharged = randomUUID();
    const stranger = customer();

    const theirs = await orderPayments([orderId], stranger);
    const uncharged = await orderPayments([neverCharged], stranger);

    expect(theirs).toEqual({ status: 200, data: { _entities: [{ id: orderId, payment: null }] } });
    expect(JSON.stringify(uncharged).replace(neverCharged, orderId)).toBe(JSON.stringify(theirs));
  });

  it('asks for a sign-in (UNAUTHENTICATED) when the request acts for no user', async () => {
    const { orderId } = await arrange({ userId: customer().id });

    expect(codes(await orderPayments([orderId]))).toEqual(['UNAUTHENTICATED']);
  });

  it('loads the payments of many orders in one SQL query', async () => {
    const owner = customer();
    const orderIds: string[] = [];
    for (let i = 0; i < 10; i++) orderIds.push((await arrange({ userId: owner.id })).orderId);

    const before = await dbQueries();
    const response = await orderPayments(orderIds, owner);
    const queries = (await dbQueries()) - before;

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities.every((order) => order.payment !== null)).toBe(true);
    expect(queries).toBe(1);
  });
});
