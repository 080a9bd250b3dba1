import type { EventHandler } from '../../../platform/events/EventConsumer';
import { OrderTimedOut } from '../../orders/events/contracts';
import type { ReservationService } from '../ReservationService';

/** orders.timedOut -> release what the order holds, with inventory.stockChanged. */
export function onOrderTimedOut(reservations: ReservationService): EventHandler {
  return async (event, commit) => {
    const { orderId } = OrderTimedOut.read(event);
    await commit(async (tx) => {
      await reservations.settle(tx, orderId, 'ORDER_TIMED_OUT');
    });
  };
}
