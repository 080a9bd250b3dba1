import type { ConsumerSpec, EventHandler } from '../../../platform/events/eventConsumer';
import type { EventContract } from '../../../platform/events/envelope';
import { StockRejected, StockReserved } from '../../inventory/events/contracts';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from '../../payments/events/contracts';
import type { SagaFact } from '../domain/sagaTransitions';
import type { OrderService } from '../OrderService';

/** Turns an incoming event into the saga fact it means for its order. */
function onFact<T extends { orderId: string }>(
  orders: OrderService,
  contract: EventContract<T>,
  fact: (data: T) => SagaFact,
): EventHandler {
  return async (event, commit) => {
    const data = contract.read(event);
    let sagaLatencyMs: number | undefined;
    const first = await commit(async (tx) => {
      sagaLatencyMs = await orders.apply(tx, data.orderId, fact(data));
    });
    // Once committed: a step that rolled back (and comes again) is not counted twice.
    if (first && sagaLatencyMs !== undefined) orders.sagaEnded(sagaLatencyMs);
  };
}

/** What moves an order along: inventory's and payments' outcomes. */
export function orderConsumers(orders: OrderService): ConsumerSpec[] {
  return [
    {
      name: 'orders-on-inventory',
      domain: 'inventory',
      handlers: {
        [StockReserved.type]: onFact(orders, StockReserved, () => ({ kind: 'stockReserved' })),
        [StockRejected.type]: onFact(orders, StockRejected, () => ({ kind: 'stockRejected' })),
      },
    },
    {
      name: 'orders-on-payments',
      domain: 'payments',
      handlers: {
        [PaymentSucceeded.type]: onFact(orders, PaymentSucceeded, () => ({ kind: 'paymentSucceeded' })),
        [PaymentFailed.type]: onFact(orders, PaymentFailed, (d) => ({ kind: 'paymentFailed', reason: d.reason })),
        [PaymentRefunded.type]: onFact(orders, PaymentRefunded, () => ({ kind: 'paymentRefunded' })),
      },
      // A cancelled PAID order ends CANCELLED once refunded, however long that takes: the money is back.
      retryUntilDone: [PaymentRefunded.type],
    },
  ];
}
