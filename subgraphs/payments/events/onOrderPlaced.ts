import type { EventHandler } from '../../../platform/events/EventConsumer';
import { OrderPlaced } from '../../orders/events/contracts';
import type { PaymentService } from '../PaymentService';

/** orders.placed -> remember what to charge once the stock is reserved. */
export function onOrderPlaced(payments: PaymentService): EventHandler {
  return async (event, commit) => {
    const { orderId, userId, amountCents, currency, cardToken } = OrderPlaced.read(event);
    await payments.recordIntent(commit, { orderId, userId, amountCents, currency, cardToken });
  };
}
