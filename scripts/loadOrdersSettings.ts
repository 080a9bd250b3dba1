import { integer } from '../platform/settings/setting';
import { settingsGroup } from '../platform/settings/settingsGroup';

/** What `npm run load:orders` reads besides the gateway's URL (GATEWAY_URL) and npm start's ADMIN. */
export const loadOrdersSettings = settingsGroup(
  'loadOrders',
  ['npm run load:orders'],
  {
    ORDERS: integer({ default: 300, min: 1, description: 'orders placed' }),
    CONCURRENCY: integer({ default: 20, min: 1, max: 1_000, description: 'orders in flight at once' }),
  },
  (s) => ({ total: s.ORDERS, concurrency: s.CONCURRENCY }),
);
