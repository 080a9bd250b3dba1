import type { ConsumerSpec } from '../../../platform/events/eventConsumer';
import { OrderCancelled, OrderPlaced, OrderTimedOut } from '../../orders/events/contracts';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from '../../payments/events/contracts';
import type { ReservationService } from '../ReservationService';
import { onOrderPlaced } from './onOrderPlaced';
import { settleReservations } from './settleReservations';

/** What inventory consumes in the order saga (DESIGN.md "The order saga"). */
export function inventoryConsumers(reservations: ReservationService): ConsumerSpec[] {
  return [
    {
      name: 'inventory-on-orders',
      domain: 'orders',
      handlers: {
        [OrderPlaced.type]: onOrderPlaced(reservations),
        [OrderCancelled.type]: settleReservations(OrderCancelled, 'ORDER_CANCELLED', reservations),
        [OrderTimedOut.type]: settleReservations(OrderTimedOut, 'ORDER_TIMED_OUT', reservations),
      },
      // A release must happen, however long the database is away: a reservation never outlives its order.
      retryUntilDone: [OrderCancelled.type, OrderTimedOut.type],
    },
    {
      name: 'inventory-on-payments',
      domain: 'payments',
      handlers: {
        [PaymentSucceeded.type]: settleReservations(PaymentSucceeded, 'PAYMENT_SUCCEEDED', reservations),
        [PaymentFailed.type]: settleReservations(PaymentFailed, 'PAYMENT_FAILED', reservations),
        [PaymentRefunded.type]: settleReservations(PaymentRefunded, 'PAYMENT_REFUNDED', reservations),
      },
      // The money moved: the stock follows, whenever that is.
      retryUntilDone: [PaymentSucceeded.type, PaymentFailed.type, PaymentRefunded.type],
    },
  ];
}
