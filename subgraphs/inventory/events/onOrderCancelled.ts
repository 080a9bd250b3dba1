import type { EventHandler } from '../../../platform/events/EventConsumer';
import { OrderCancelled } from '../../orders/events/contracts';
import type { ReservationService } from '../ReservationService';

/** orders.cancelled -> release the reservations (or restock a refunded order's), with inventory.stockChanged. */
export function onOrderCancelled(reservations: ReservationService): EventHandler {
  return async (event, commit) => {
    const { orderId } = OrderCancelled.read(event);
    await commit(async (tx) => {
      await reservations.settle(tx, orderId, 'ORDER_CANCELLED');
    });
  };
}
