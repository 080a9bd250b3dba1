import { randomUUID } from 'node:crypto';
import {
  CreateProductDocument,
  LogInDocument,
  OrderByIdDocument,
  PlaceOrderDocument,
  ProductByIdDocument,
  SignUpDocument,
  type OrderByIdQuery,
} from '../../client/generated/graphql';
import type { Supergraph } from './supergraph';

export type Order = NonNullable<OrderByIdQuery['order']>;

export const ENDED = new Set(['PAID', 'REJECTED', 'CANCELLED']);

/**
 * What the saga suites do through the gateway, as the seeded ADMIN and one
 * customer: products with stock, orders, and waiting for an order's status.
 */
export class ShopClient {
  /** Every unit a product was given (initial stock), for the books check. */
  readonly stockGiven = new Map<string, number>();

  private constructor(
    private readonly sg: Supergraph,
    readonly adminToken: string,
    readonly customerToken: string,
  ) {}

  static async signIn(sg: Supergraph, customerEmail = `buyer-${randomUUID().slice(0, 8)}@example.com`) {
    const admin = await sg.execute(LogInDocument, { email: 'admin@example.com', password: 'test-admin-password' });
    const customer = await signUp(sg, customerEmail);
    return new ShopClient(sg, admin.data!.logIn.token, customer);
  }

  async newProduct(stock: number, price = 1000): Promise<string> {
    const sku = `SAGA-${randomUUID().slice(0, 8)}`;
    const res = await this.sg.execute(
      CreateProductDocument,
      { input: { sku, name: sku, price, initialStock: stock } },
      this.adminToken,
    );
    const id = res.data!.createProduct.id;
    this.stockGiven.set(id, stock);
    return id;
  }

  async available(productId: string): Promise<number> {
    return (await this.sg.execute(ProductByIdDocument, { id: productId })).data!.product!.available;
  }

  async place(productId: string, quantity: number, cardToken = 'tok_visa', token = this.customerToken) {
    const res = await this.sg.execute(
      PlaceOrderDocument,
      { input: { items: [{ productId, quantity }], paymentMethod: { cardToken } } },
      token,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.placeOrder;
  }

  async order(id: string, token = this.customerToken): Promise<Order> {
    return (await this.sg.execute(OrderByIdDocument, { id }, token)).data!.order!;
  }

  /**
   * Polls until the order reaches one of the statuses, in a complete answer unless `partial`:
   * right after a test stopped a service, the gateway's breaker may still refuse its part (order.payment).
   */
  async until(
    id: string,
    statuses: string[] | Set<string>,
    timeoutMs = 20_000,
    { partial = false, token = this.customerToken } = {},
  ): Promise<Order> {
    const wanted = new Set(statuses);
    const deadline = Date.now() + timeoutMs;
    // Quick at first, then backing off: many orders polled at once must stay within the user's rate limit.
    let pollMs = 25;
    for (;;) {
      const res = await this.sg.execute(OrderByIdDocument, { id }, token);
      const current = res.data?.order;
      if (current && wanted.has(current.status) && (partial || !res.errors)) return current;
      if (Date.now() > deadline) {
        throw new Error(
          `order ${id} is ${current?.status}, not ${[...wanted].join('/')}: ${JSON.stringify(res.errors)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      pollMs = Math.min(pollMs * 1.5, 500);
    }
  }
}

/** A new customer's token. */
export async function signUp(sg: Supergraph, email: string): Promise<string> {
  const res = await sg.execute(SignUpDocument, { input: { email, password: 'buyer password', name: 'Buyer' } });
  if (!res.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(res.errors)}`);
  return res.data.signUp.token;
}
