import type { EventHandler } from '../../../platform/events/EventConsumer';
import { StockReserved } from '../../inventory/events/contracts';
import type { PaymentService } from '../PaymentService';

/** inventory.reserved -> take the money -> payments.succeeded | payments.failed. */
export function onStockReserved(payments: PaymentService): EventHandler {
  return async (event, commit) => {
    const { orderId } = StockReserved.read(event);
    await payments.chargeReservedOrder(event, commit, orderId);
  };
}
