import { createEvent, type EventEnvelope } from '../../../platform/events/envelope';
import type { AvailableStock } from '../db/StockRepository';
import { StockChanged } from './contracts';

/**
 * inventory.stockChanged for what a transaction's stock statements left
 * available (at least one product). `about` is what caused the change and
 * becomes the subject and correlation id: the order whose reservations moved
 * stock, or the product restocked.
 */
export function stockChangedEvent(changed: readonly AvailableStock[], about: string): EventEnvelope {
  return createEvent(StockChanged, {
    source: 'inventory',
    subject: about,
    correlationId: about,
    data: {
      products: changed.map(({ productId, available }) => ({ productId, available })),
      // One statement's rows share it (now() is the transaction's time).
      changedAt: changed[0].changedAt.toISOString(),
    },
  });
}
