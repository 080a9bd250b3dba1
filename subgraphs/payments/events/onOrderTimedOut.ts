import type { EventHandler } from '../../../platform/events/EventConsumer';
import { OrderTimedOut } from '../../orders/events/contracts';
import type { PaymentService } from '../PaymentService';

/** orders.timedOut -> charge nothing from now on; refund what was taken (payments.refunded). */
export function onOrderTimedOut(payments: PaymentService): EventHandler {
  return async (event, commit) => {
    const { orderId, userId, amountCents, currency } = OrderTimedOut.read(event);
    // The order may have timed out because its orders.placed never got here: remember it as ended.
    await payments.refundEndedOrder(event, commit, orderId, { orderId, userId, amountCents, currency });
  };
}
