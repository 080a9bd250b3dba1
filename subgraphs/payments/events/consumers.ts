import type { ConsumerSpec } from '../../../platform/events/EventConsumer';
import { StockReserved } from '../../inventory/events/contracts';
import { OrderCancelled, OrderPlaced, OrderTimedOut } from '../../orders/events/contracts';
import type { PaymentService } from '../PaymentService';
import { onOrderCancelled } from './onOrderCancelled';
import { onOrderPlaced } from './onOrderPlaced';
import { onOrderTimedOut } from './onOrderTimedOut';
import { onStockReserved } from './onStockReserved';

/** What payments consumes in the order saga (DESIGN.md "The order saga"). */
export function paymentConsumers(payments: PaymentService): ConsumerSpec[] {
  return [
    {
      // An order is placed (remember what to charge), or cancelled or timed out (give back what was taken).
      name: 'payments-on-orders',
      domain: 'orders',
      handlers: {
        [OrderPlaced.type]: onOrderPlaced(payments),
        [OrderCancelled.type]: onOrderCancelled(payments),
        [OrderTimedOut.type]: onOrderTimedOut(payments),
      },
      // A refund must happen, however long the provider is away.
      retryUntilDone: [OrderCancelled.type, OrderTimedOut.type],
    },
    {
      // Stock is reserved: take the money.
      name: 'payments-on-inventory',
      domain: 'inventory',
      handlers: { [StockReserved.type]: onStockReserved(payments) },
      // A charge may be in flight (a PENDING payment): it settles, and an ended order's refund waits for it.
      retryUntilDone: [StockReserved.type],
    },
  ];
}
