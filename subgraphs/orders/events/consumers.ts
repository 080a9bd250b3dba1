import type { ConsumerSpec } from '../../../platform/events/EventConsumer';
import { StockRejected, StockReserved } from '../../inventory/events/contracts';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from '../../payments/events/contracts';
import type { OrderService } from '../OrderService';
import { onPaymentFailed } from './onPaymentFailed';
import { onPaymentRefunded } from './onPaymentRefunded';
import { onPaymentSucceeded } from './onPaymentSucceeded';
import { onStockRejected } from './onStockRejected';
import { onStockReserved } from './onStockReserved';

/** What moves an order along: inventory's and payments' outcomes (DESIGN.md "The order saga"). */
export function orderConsumers(orders: OrderService): ConsumerSpec[] {
  return [
    {
      name: 'orders-on-inventory',
      domain: 'inventory',
      handlers: {
        [StockReserved.type]: onStockReserved(orders),
        [StockRejected.type]: onStockRejected(orders),
      },
    },
    {
      name: 'orders-on-payments',
      domain: 'payments',
      handlers: {
        [PaymentSucceeded.type]: onPaymentSucceeded(orders),
        [PaymentFailed.type]: onPaymentFailed(orders),
        [PaymentRefunded.type]: onPaymentRefunded(orders),
      },
      // A cancelled PAID order ends CANCELLED once refunded, however long that takes: the money is back.
      retryUntilDone: [PaymentRefunded.type],
    },
  ];
}
