import type { ConsumerSpec } from '../../../platform/events/EventConsumer';
import { OrderCancelled, OrderPlaced, OrderTimedOut } from '../../orders/events/contracts';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from '../../payments/events/contracts';
import type { ReservationService } from '../ReservationService';
import { onOrderCancelled } from './onOrderCancelled';
import { onOrderPlaced } from './onOrderPlaced';
import { onOrderTimedOut } from './onOrderTimedOut';
import { onPaymentFailed } from './onPaymentFailed';
import { onPaymentRefunded } from './onPaymentRefunded';
import { onPaymentSucceeded } from './onPaymentSucceeded';

/** What inventory consumes in the order saga (DESIGN.md "The order saga"). */
export function inventoryConsumers(reservations: ReservationService): ConsumerSpec[] {
  return [
    {
      name: 'inventory-on-orders',
      domain: 'orders',
      handlers: {
        [OrderPlaced.type]: onOrderPlaced(reservations),
        [OrderCancelled.type]: onOrderCancelled(reservations),
        [OrderTimedOut.type]: onOrderTimedOut(reservations),
      },
      // A release must happen, however long the database is away: a reservation never outlives its order.
      retryUntilDone: [OrderCancelled.type, OrderTimedOut.type],
    },
    {
      name: 'inventory-on-payments',
      domain: 'payments',
      handlers: {
        [PaymentSucceeded.type]: onPaymentSucceeded(reservations),
        [PaymentFailed.type]: onPaymentFailed(reservations),
        [PaymentRefunded.type]: onPaymentRefunded(reservations),
      },
      // The money moved: the stock follows, whenever that is.
      retryUntilDone: [PaymentSucceeded.type, PaymentFailed.type, PaymentRefunded.type],
    },
  ];
}
