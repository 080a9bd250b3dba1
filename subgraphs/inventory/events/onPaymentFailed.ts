import type { EventHandler } from '../../../platform/events/EventConsumer';
import { PaymentFailed } from '../../payments/events/contracts';
import type { ReservationService } from '../ReservationService';

/** payments.failed -> release the reservations, with inventory.stockChanged. */
export function onPaymentFailed(reservations: ReservationService): EventHandler {
  return async (event, commit) => {
    const { orderId } = PaymentFailed.read(event);
    await commit(async (tx) => {
      await reservations.settle(tx, orderId, 'PAYMENT_FAILED');
    });
  };
}
