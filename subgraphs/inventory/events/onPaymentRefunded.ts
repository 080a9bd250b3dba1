import type { EventHandler } from '../../../platform/events/EventConsumer';
import { PaymentRefunded } from '../../payments/events/contracts';
import type { ReservationService } from '../ReservationService';

/** payments.refunded -> restock what was sold, with inventory.stockChanged. */
export function onPaymentRefunded(reservations: ReservationService): EventHandler {
  return async (event, commit) => {
    const { orderId } = PaymentRefunded.read(event);
    await commit(async (tx) => {
      await reservations.settle(tx, orderId, 'PAYMENT_REFUNDED');
    });
  };
}
