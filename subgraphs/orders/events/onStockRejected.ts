import type { EventHandler } from '../../../platform/events/EventConsumer';
import { StockRejected } from '../../inventory/events/contracts';
import type { OrderService } from '../OrderService';

/** inventory.rejected -> REJECTED (OUT_OF_STOCK). */
export function onStockRejected(orders: OrderService): EventHandler {
  return async (event, commit) => {
    const { orderId } = StockRejected.read(event);
    await orders.advance(commit, orderId, { kind: 'stockRejected' });
  };
}
