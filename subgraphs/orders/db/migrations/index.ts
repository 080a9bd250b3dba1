import { CreateEventTables1764400000000 } from '../../../../platform/events/migrations/1764400000000-CreateEventTables';
import { AddEventRetentionIndexes1764748800000 } from '../../../../platform/events/migrations/1764748800000-AddEventRetentionIndexes';
import { CreateOrders1764316800000 } from './1764316800000-CreateOrders';
import { AddSagaColumns1764403200000 } from './1764403200000-AddSagaColumns';
import { AddSagaProgressIndexes1764662400000 } from './1764662400000-AddSagaProgressIndexes';

/** In order: TypeORM runs the ones not yet recorded in its migrations table. */
export const migrations = [
  CreateOrders1764316800000,
  CreateEventTables1764400000000,
  AddSagaColumns1764403200000,
  AddSagaProgressIndexes1764662400000,
  AddEventRetentionIndexes1764748800000,
];
