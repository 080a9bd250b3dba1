import { randomUUID } from 'node:crypto';
import type { UserIdentity } from '../../../platform/auth/identity';
import { startSubgraphs, type GraphQLResponse, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { ordersSubgraph } from '../definition';
import { OrderStatus } from '../domain/OrderStatus';
import { arrangeOrder, type ArrangedOrder } from '../testing/arrangeOrder';

const customer = (): UserIdentity => ({ id: randomUUID(), role: 'CUSTOMER' });
const admin: UserIdentity = { id: randomUUID(), role: 'ADMIN' };

const ORDER = /* GraphQL */ `
  query Order($id: ID!) {
    order(id: $id) {
      id
      user {
        id
      }
      items {
        product {
          id
        }
        productName
        quantity
        unitPrice {
          amount
          currency
        }
      }
      total {
        amount
        currency
      }
      status
      rejectionReason
      history {
        status
        at
      }
      createdAt
      updatedAt
    }
  }
`;

const ORDER_REFERENCES = /* GraphQL */ `
  query OrderReferences($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Order {
        id
        status
      }
    }
  }
`;

let h: SubgraphHarness;

beforeAll(async () => {
  h = await startSubgraphs([ordersSubgraph]);
});
afterAll(() => h?.stop());

const arrange = (order: ArrangedOrder) => arrangeOrder(h.services.orders.runtime.dataSource, order);
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);

describe('order(id)', () => {
  it('shows the owner their order with its items, total, history oldest first and owner reference', async () => {
    const owner = customer();
    const [teapot, cup] = [randomUUID(), randomUUID()];
    const id = await arrange({
      userId: owner.id,
      status: OrderStatus.REJECTED,
      rejectionReason: 'OUT_OF_STOCK',
      earlier: [OrderStatus.PENDING],
      createdAt: new Date('2025-03-04T05:06:07.089Z'),
      lines: [
        { productId: teapot, productName: 'Teapot', quantity: 2, unitPriceCents: 1250 },
        { productId: cup, productName: 'Cup', quantity: 1, unitPriceCents: 400 },
      ],
    });

    const response = await h.request('orders', ORDER, { id }, { user: owner });

    expect(response.errors).toBeUndefined();
    expect(response.data?.order).toEqual({
      id,
      user: { id: owner.id },
      items: [
        { product: { id: teapot }, productName: 'Teapot', quantity: 2, unitPrice: { amount: 1250, currency: 'EUR' } },
        { product: { id: cup }, productName: 'Cup', quantity: 1, unitPrice: { amount: 400, currency: 'EUR' } },
      ],
      total: { amount: 2900, currency: 'EUR' },
      status: 'REJECTED',
      rejectionReason: 'OUT_OF_STOCK',
      history: [
        { status: 'PENDING', at: '2025-03-04T05:06:07.089Z' },
        { status: 'REJECTED', at: '2025-03-04T05:06:07.090Z' },
      ],
      createdAt: '2025-03-04T05:06:07.089Z',
      updatedAt: '2025-03-04T05:06:07.089Z',
    });
  });

  it("shows an ADMIN any customer's order", async () => {
    const id = await arrange({ userId: customer().id });

    const response = await h.request('orders', ORDER, { id }, { user: admin });

    expect(response.errors).toBeUndefined();
    expect(response.data?.order).toMatchObject({ id, status: 'PENDING' });
  });

  it("answers another customer's order exactly as an unknown id, after the same queries: null, no error", async () => {
    const id = await arrange({ userId: customer().id });
    const stranger = customer();
    const answer = async (orderId: string) => {
      const before = await h.requestQueries('orders');
      const response = await h.request('orders', ORDER, { id: orderId }, { user: stranger });
      return { body: JSON.stringify(response), queries: (await h.requestQueries('orders')) - before };
    };

    const theirs = await answer(id);
    const unknown = await answer(randomUUID());

    expect(theirs.body).toBe(JSON.stringify({ status: 200, data: { order: null } }));
    expect(unknown).toEqual(theirs);
  });

  it('asks for a sign-in (UNAUTHENTICATED) when the request acts for no user', async () => {
    const id = await arrange({ userId: customer().id });

    const response = await h.request('orders', ORDER, { id });

    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('answers null for an unknown or a malformed order id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const response = await h.request('orders', ORDER, { id }, { user: admin });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ order: null });
    }
  });
});

describe('Order entity reference', () => {
  it("resolves the caller's own order and answers null, never an error, for a stranger's or an unknown one", async () => {
    const owner = customer();
    const mine = await arrange({ userId: owner.id });
    const theirs = await arrange({ userId: customer().id });
    const representations = [mine, theirs, randomUUID(), 'not-a-uuid'].map((id) => ({ __typename: 'Order', id }));

    const response = await h.request('orders', ORDER_REFERENCES, { representations }, { user: owner });

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([{ id: mine, status: 'PENDING' }, null, null, null]);
  });

  it('answers null for every order when the request acts for no user', async () => {
    const id = await arrange({ userId: customer().id });

    const response = await h.request('orders', ORDER_REFERENCES, { representations: [{ __typename: 'Order', id }] });

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([null]);
  });
});
