import { randomUUID } from 'node:crypto';
import type { UserIdentity } from '../../../platform/auth/identity';
import { startSubgraphs, type GraphQLResponse, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { ordersSubgraph } from '../definition';
import { OrderStatus } from '../domain/OrderStatus';
import { arrangeOrder, type ArrangedOrder } from '../testing/arrangeOrder';

const customer = (): UserIdentity => ({ id: randomUUID(), role: 'CUSTOMER' });
const admin: UserIdentity = { id: randomUUID(), role: 'ADMIN' };

// The gateway asks orders for User.orders with a User reference, exactly like this.
const USER_ORDERS = /* GraphQL */ `
  query UserOrders($userId: ID!, $first: Int, $after: String, $status: OrderStatus) {
    _entities(representations: [{ __typename: "User", id: $userId }]) {
      ... on User {
        orders(first: $first, after: $after, status: $status) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            cursor
            node {
              id
              status
              items {
                quantity
              }
              history {
                status
              }
            }
          }
        }
      }
    }
  }
`;

interface OrdersPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { id: string } }[];
}

let h: SubgraphHarness;

beforeAll(async () => {
  h = await startSubgraphs([ordersSubgraph]);
});
afterAll(() => h?.stop());

const arrange = (order: ArrangedOrder) => arrangeOrder(h.services.orders.runtime.dataSource, order);
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);

function userOrders(
  userId: string,
  args: { first?: number; after?: string; status?: OrderStatus },
  user: UserIdentity | undefined,
): Promise<GraphQLResponse<{ _entities: { orders: OrdersPage }[] }>> {
  return h.request('orders', USER_ORDERS, { userId, ...args }, { user });
}

async function dbQueries(): Promise<number> {
  return h.requestQueries('orders');
}

describe('User.orders', () => {
  it("pages the user's own orders newest first by cursor, with the total count, leaving out other users' orders", async () => {
    const owner = customer();
    const base = Date.parse('2025-01-01T00:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await arrange({ userId: owner.id, createdAt: new Date(base + i * 1001) }));
    // Two orders in the same millisecond: the id breaks the tie, so neither is skipped nor repeated.
    const sameTime = new Date(base + 10_000);
    ids.push(await arrange({ userId: owner.id, createdAt: sameTime }));
    ids.push(await arrange({ userId: owner.id, createdAt: sameTime }));
    await arrange({ userId: customer().id, createdAt: new Date(base + 500) });
    const newestFirst = [...ids.slice(5).sort().reverse(), ...ids.slice(0, 5).reverse()];

    const pages: OrdersPage[] = [];
    let after: string | undefined;
    do {
      const response = await userOrders(owner.id, { first: 2, after }, owner);
      expect(response.errors).toBeUndefined();
      const page = response.data!._entities[0].orders;
      pages.push(page);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor! : undefined;
    } while (after);

    expect(pages.flatMap((p) => p.edges.map((e) => e.node.id))).toEqual(newestFirst);
    expect(pages.map((p) => p.edges.length)).toEqual([2, 2, 2, 1]);
    expect(pages.map((p) => p.totalCount)).toEqual([7, 7, 7, 7]);
    expect(pages.at(-1)!.pageInfo).toEqual({ hasNextPage: false, endCursor: pages.at(-1)!.edges[0].cursor });
  });

  it('filters by status and counts only the orders with that status', async () => {
    const owner = customer();
    const paidOld = await arrange({
      userId: owner.id,
      status: OrderStatus.PAID,
      createdAt: new Date(Date.now() - 2000),
    });
    await arrange({ userId: owner.id, status: OrderStatus.PENDING });
    const paidNew = await arrange({ userId: owner.id, status: OrderStatus.PAID });

    const response = await userOrders(owner.id, { first: 10, status: OrderStatus.PAID }, owner);

    expect(response.errors).toBeUndefined();
    const page = response.data!._entities[0].orders;
    expect(page.edges.map((e) => e.node.id)).toEqual([paidNew, paidOld]);
    expect(page.totalCount).toBe(2);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it("lets an ADMIN read a user's orders, refuses another customer with FORBIDDEN and a missing user with UNAUTHENTICATED", async () => {
    const owner = customer();
    await arrange({ userId: owner.id });

    const byAdmin = await userOrders(owner.id, {}, admin);
    const byStranger = await userOrders(owner.id, {}, customer());
    const anonymous = await userOrders(owner.id, {}, undefined);

    expect(byAdmin.errors).toBeUndefined();
    expect(byAdmin.data!._entities[0].orders.totalCount).toBe(1);
    expect(codes(byStranger)).toEqual(['FORBIDDEN']);
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it('rejects a cursor it did not issue with BAD_USER_INPUT', async () => {
    const owner = customer();
    const wellFormedWrongValues = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');

    for (const after of ['%%%garbage', wellFormedWrongValues]) {
      const response = await userOrders(owner.id, { first: 2, after }, owner);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('rejects a page larger than 100 with BAD_USER_INPUT', async () => {
    const owner = customer();

    const response = await userOrders(owner.id, { first: 101 }, owner);

    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('loads a page with its items and history in the same number of SQL queries for 2 orders as for 20', async () => {
    const owner = customer();
    for (let i = 0; i < 25; i++) {
      await arrange({
        userId: owner.id,
        status: OrderStatus.PAID,
        earlier: [OrderStatus.PENDING, OrderStatus.RESERVED],
      });
    }
    const queriesFor = async (first: number): Promise<number> => {
      const before = await dbQueries();
      const response = await userOrders(owner.id, { first }, owner);
      expect(response.errors).toBeUndefined();
      expect(response.data!._entities[0].orders.edges).toHaveLength(first);
      return (await dbQueries()) - before;
    };

    const forTwo = await queriesFor(2);
    const forTwenty = await queriesFor(20);

    expect(forTwenty).toBe(forTwo);
    // The page, its count, all its items, all its histories.
    expect(forTwenty).toBe(4);
  });
});
