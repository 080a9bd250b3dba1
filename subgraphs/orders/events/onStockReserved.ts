import type { EventHandler } from '../../../platform/events/EventConsumer';
import { StockReserved } from '../../inventory/events/contracts';
import type { OrderService } from '../OrderService';

/** inventory.reserved -> RESERVED. */
export function onStockReserved(orders: OrderService): EventHandler {
  return async (event, commit) => {
    const { orderId } = StockReserved.read(event);
    await orders.advance(commit, orderId, { kind: 'stockReserved' });
  };
}
