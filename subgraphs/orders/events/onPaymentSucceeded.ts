import type { EventHandler } from '../../../platform/events/EventConsumer';
import { PaymentSucceeded } from '../../payments/events/contracts';
import type { OrderService } from '../OrderService';

/** payments.succeeded -> PAID. */
export function onPaymentSucceeded(orders: OrderService): EventHandler {
  return async (event, commit) => {
    const { orderId } = PaymentSucceeded.read(event);
    await orders.advance(commit, orderId, { kind: 'paymentSucceeded' });
  };
}
