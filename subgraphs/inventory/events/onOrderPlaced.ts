import { appendToOutbox } from '../../../platform/events/outbox';
import { createEvent } from '../../../platform/events/envelope';
import type { EventHandler } from '../../../platform/events/eventConsumer';
import { OrderPlaced } from '../../orders/events/contracts';
import type { ReservationService } from '../ReservationService';
import { StockRejected, StockReserved } from './contracts';

/** orders.placed -> reserve every line or none -> inventory.reserved | inventory.rejected, in one transaction. */
export function onOrderPlaced(reservations: ReservationService): EventHandler {
  return async (event, commit) => {
    const { orderId, items } = OrderPlaced.read(event);
    // The reply joins the order's saga: same correlation id, same trace.
    const envelope = {
      source: 'inventory',
      subject: orderId,
      correlationId: event.correlationId,
      traceparent: event.traceparent,
    };
    await commit(async (tx) => {
      const result = await reservations.reserve(tx, orderId, items);
      if (result.outcome === 'reserved') {
        await appendToOutbox(tx, createEvent(StockReserved, { ...envelope, data: { orderId } }));
      } else if (result.outcome === 'rejected') {
        const data = { orderId, reason: 'OUT_OF_STOCK' as const, productIds: result.shortProductIds };
        await appendToOutbox(tx, createEvent(StockRejected, { ...envelope, data }));
      }
    });
  };
}
