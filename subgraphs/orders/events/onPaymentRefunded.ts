import type { EventHandler } from '../../../platform/events/EventConsumer';
import { PaymentRefunded } from '../../payments/events/contracts';
import type { OrderService } from '../OrderService';

/** payments.refunded -> CANCELLED (a cancelled PAID order, once its money is back). */
export function onPaymentRefunded(orders: OrderService): EventHandler {
  return async (event, commit) => {
    const { orderId } = PaymentRefunded.read(event);
    await orders.advance(commit, orderId, { kind: 'paymentRefunded' });
  };
}
