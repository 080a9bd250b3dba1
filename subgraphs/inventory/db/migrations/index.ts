import { CreateEventTables1764400000000 } from '../../../../platform/events/migrations/1764400000000-CreateEventTables';
import { AddEventRetentionIndexes1764748800000 } from '../../../../platform/events/migrations/1764748800000-AddEventRetentionIndexes';
import { CreateStock1764230400000 } from './1764230400000-CreateStock';
import { CreateReservations1764489600000 } from './1764489600000-CreateReservations';
import { CreateCancelledOrders1764576000000 } from './1764576000000-CreateCancelledOrders';

/** In order: TypeORM runs the ones not yet recorded in its migrations table. */
export const migrations = [
  CreateStock1764230400000,
  CreateEventTables1764400000000,
  CreateReservations1764489600000,
  CreateCancelledOrders1764576000000,
  AddEventRetentionIndexes1764748800000,
];
