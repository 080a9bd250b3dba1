import { z } from 'zod';
import { defineEvent } from '../../../platform/events/contract';

/** The events inventory publishes. A breaking change is a new version, never an edit. */
export const StockReserved = defineEvent('inventory.reserved', 1, z.object({ orderId: z.string().uuid() }));

export const StockRejected = defineEvent(
  'inventory.rejected',
  1,
  z.object({
    orderId: z.string().uuid(),
    reason: z.literal('OUT_OF_STOCK'),
    /** The products that had too little available. */
    productIds: z.array(z.string().uuid()),
  }),
);

/**
 * The units that can be ordered (on hand minus reserved) of these products
 * changed: a reservation taken or released, a restock, a product's initial
 * stock. One event per transaction, listing every product whose available it
 * changed, with its new value, so the gateway can serve productsUpdated from
 * the bus alone; no saga step consumes it. A product's events are on the
 * stream in the order of its changes (each change holds the product's row
 * lock until it commits): read them in stream order, whatever their subject.
 */
export const StockChanged = defineEvent(
  'inventory.stockChanged',
  1,
  z.object({
    /** In product id order. */
    products: z.array(z.object({ productId: z.string().uuid(), available: z.number().int().nonnegative() })).min(1),
    /** ISO 8601, the database's time of the change. */
    changedAt: z.string().datetime(),
  }),
);
