import DataLoader from 'dataloader';
import type { PaymentQueries } from './db/PaymentQueries';
import { type Payment, toPayment } from './schema/Payment';

/**
 * Per request, so N payments (or N orders' payments) cost one query, and
 * nothing leaks between users. The loaders do not authorize: resolvers do.
 */
export function createLoaders(payments: PaymentQueries) {
  return {
    payment: new DataLoader<string, Payment | null>(async (ids) => {
      const byId = new Map((await payments.findByIds(ids)).map((row) => [row.id, toPayment(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** By order id: the order's latest payment, null until one was attempted. */
    latestByOrder: new DataLoader<string, Payment | null>(async (orderIds) => {
      const byOrder = new Map((await payments.latestForOrders(orderIds)).map((row) => [row.orderId, toPayment(row)]));
      return orderIds.map((id) => byOrder.get(id) ?? null);
    }),
  };
}

export type PaymentLoaders = ReturnType<typeof createLoaders>;
