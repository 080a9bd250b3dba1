import DataLoader from 'dataloader';
import type { OrderQueries } from './db/OrderQueries';
import { type Order, toOrder } from './schema/Order';
import { type OrderItem, toOrderItem } from './schema/OrderItem';
import { type OrderStatusChange, toOrderStatusChange } from './schema/OrderStatusChange';

/**
 * Per request, so a page of N orders costs one query for the orders, one for
 * all their items and one for all their histories, and nothing leaks between
 * users. The loaders do not authorize: whoever hands out an Order checks first.
 */
export function createLoaders(orders: OrderQueries) {
  return {
    order: new DataLoader<string, Order | null>(async (ids) => {
      const byId = new Map((await orders.findByIds(ids)).map((row) => [row.id, toOrder(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Keyed by the order, which carries the currency its items are priced in. */
    items: new DataLoader<Order, OrderItem[], string>(
      async (keys) => {
        const byOrder = groupBy(await orders.itemsOf(keys.map((o) => o.id)), (row) => row.orderId);
        return keys.map((order) => (byOrder.get(order.id) ?? []).map((row) => toOrderItem(row, order.currency)));
      },
      { cacheKeyFn: (order) => order.id },
    ),
    history: new DataLoader<string, OrderStatusChange[]>(async (ids) => {
      const byOrder = groupBy(await orders.historyOf(ids), (row) => row.orderId);
      return ids.map((id) => (byOrder.get(id) ?? []).map(toOrderStatusChange));
    }),
  };
}

export type OrderLoaders = ReturnType<typeof createLoaders>;

/** Keeps the rows' order within each group. */
function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}
