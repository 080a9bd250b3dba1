import { LogInDocument, OrderByIdDocument, PlaceOrderDocument } from '../../client/generated/graphql';
import { eventually } from '../../test/support/eventually';
import { startSupergraph, type Supergraph } from '../../test/support/supergraph';
import { AVAILABLE_PER_PRODUCT, seedBenchData, type BenchData } from './seedBenchData';

const MY_ORDERS = `query BenchMyOrders {
  me {
    id
    orders(first: 10) {
      totalCount
      edges {
        node {
          id
          status
          total { amount currency }
          history { status }
          items {
            productName
            quantity
            unitPrice { amount currency }
            product { id name available }
          }
          payment { status amount { amount currency } }
        }
      }
    }
  }
  products(first: 20) { totalCount }
}`;

interface MyOrders {
  me: {
    id: string;
    orders: {
      totalCount: number;
      edges: {
        node: {
          id: string;
          status: string;
          total: { amount: number; currency: string };
          history: { status: string }[];
          items: {
            productName: string;
            quantity: number;
            unitPrice: { amount: number; currency: string };
            product: { id: string; name: string; available: number } | null;
          }[];
          payment: { status: string; amount: { amount: number; currency: string } } | null;
        };
      }[];
    };
  };
  products: { totalCount: number };
}

let sg: Supergraph;
let bench: BenchData;
let token: string;

beforeAll(async () => {
  sg = await startSupergraph();
  bench = await seedBenchData({
    serverUrl: sg.env.DATABASE_URL,
    dbPrefix: sg.env.DB_PREFIX,
    products: 30,
    users: 5,
    orders: 40,
  });
  const logIn = await sg.execute(LogInDocument, { email: bench.user.email, password: bench.user.password });
  expect(logIn.errors).toBeUndefined();
  token = logIn.data!.logIn.token;
}, 200_000);
afterAll(() => sg?.stop());

describe('the benchmark data set', () => {
  it('seeds the counts asked for and returns the first bench user', () => {
    expect(bench).toMatchObject({ users: 5, orders: 40 });
    expect(bench.productIds).toHaveLength(30);
    expect(bench.user).toMatchObject({ email: 'bench-user-1@example.com', password: 'bench-password-123' });
  });

  it("shows a bench user their PAID orders with the catalog's products and SUCCEEDED payments of the order total", async () => {
    const res = await sg.post(sg.gatewayUrl, JSON.stringify({ query: MY_ORDERS }), {
      authorization: `Bearer ${token}`,
    });
    expect(res.body.errors).toBeUndefined();
    const data = res.body.data as MyOrders;
    expect(data.me.id).toBe(bench.user.id);
    expect(data.products.totalCount).toBe(30);
    expect(data.me.orders.totalCount).toBe(8);
    expect(data.me.orders.edges).toHaveLength(8);

    for (const { node } of data.me.orders.edges) {
      expect(node.status).toBe('PAID');
      expect(node.history.map((h) => h.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
      expect(node.items.length).toBeGreaterThanOrEqual(1);
      expect(node.items.length).toBeLessThanOrEqual(3);
      for (const item of node.items) {
        expect(bench.productIds).toContain(item.product?.id);
        expect(item.product?.name).toBe(item.productName);
        expect(item.product?.available).toBeGreaterThanOrEqual(1_000);
      }
      const itemsTotal = node.items.reduce((sum, item) => sum + item.unitPrice.amount * item.quantity, 0);
      expect(node.total).toEqual({ amount: itemsTotal, currency: 'USD' });
      expect(node.payment).toEqual({ status: 'SUCCEEDED', amount: node.total });
    }
  });

  it('lets every bench user log in with the shared password', async () => {
    const last = await sg.execute(LogInDocument, { email: 'bench-user-5@example.com', password: bench.user.password });
    expect(last.errors).toBeUndefined();
    expect(last.data?.logIn.user.role).toBe('CUSTOMER');
  });

  it('takes a new order of a seeded product through the real saga to PAID', async () => {
    const [productId] = bench.productIds;
    const placed = await sg.execute(
      PlaceOrderDocument,
      { input: { items: [{ productId, quantity: 2 }], paymentMethod: { cardToken: 'tok_visa' } } },
      token,
    );
    expect(placed.errors).toBeUndefined();
    const orderId = placed.data!.placeOrder.id;
    await eventually(async () => {
      const read = await sg.execute(OrderByIdDocument, { id: orderId }, token);
      return read.data?.order?.status === 'PAID';
    }, 20_000);
    const order = (await sg.execute(OrderByIdDocument, { id: orderId }, token)).data!.order!;
    expect(order.payment).toMatchObject({ status: 'SUCCEEDED', amount: order.total });
    expect(order.items[0].product.available).toBe(AVAILABLE_PER_PRODUCT - 2);
  });
});
