import type { EventHandler } from '../../../platform/events/EventConsumer';
import { PaymentFailed } from '../../payments/events/contracts';
import type { OrderService } from '../OrderService';

/** payments.failed -> REJECTED (PAYMENT_DECLINED). */
export function onPaymentFailed(orders: OrderService): EventHandler {
  return async (event, commit) => {
    const { orderId, reason } = PaymentFailed.read(event);
    await orders.advance(commit, orderId, { kind: 'paymentFailed', reason });
  };
}
