import type { EventHandler } from '../../../platform/events/EventConsumer';
import { OrderCancelled } from '../../orders/events/contracts';
import type { PaymentService } from '../PaymentService';

/** orders.cancelled -> charge nothing from now on; refund what was taken (payments.refunded). */
export function onOrderCancelled(payments: PaymentService): EventHandler {
  return async (event, commit) => {
    const { orderId } = OrderCancelled.read(event);
    await payments.refundEndedOrder(event, commit, orderId);
  };
}
