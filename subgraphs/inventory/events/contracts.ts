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
