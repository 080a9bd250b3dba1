import type { EventHandler } from '../../../platform/events/EventConsumer';
import { OrderPlaced } from '../../orders/events/contracts';
import type { ReservationService } from '../ReservationService';

/** orders.placed -> reserve every line or none -> inventory.reserved (+ inventory.stockChanged) | inventory.rejected, in one transaction. */
export function onOrderPlaced(reservations: ReservationService): EventHandler {
  return async (event, commit) => {
    const { orderId, items } = OrderPlaced.read(event);
    await commit(async (tx) => {
      await reservations.reserveAndReply(tx, event, orderId, items);
    });
  };
}
