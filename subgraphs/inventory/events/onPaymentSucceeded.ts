import type { EventHandler } from '../../../platform/events/EventConsumer';
import { PaymentSucceeded } from '../../payments/events/contracts';
import type { ReservationService } from '../ReservationService';

/** payments.succeeded -> commit the reservations (the stock is sold). It publishes nothing: what is available stays. */
export function onPaymentSucceeded(reservations: ReservationService): EventHandler {
  return async (event, commit) => {
    const { orderId } = PaymentSucceeded.read(event);
    await commit(async (tx) => {
      await reservations.settle(tx, orderId, 'PAYMENT_SUCCEEDED');
    });
  };
}
