import { CreateEventTables1764400000000 } from '../../../../platform/events/migrations/1764400000000-CreateEventTables';
import { AddEventRetentionIndexes1764748800000 } from '../../../../platform/events/migrations/1764748800000-AddEventRetentionIndexes';
import { CreatePayments1764316800000 } from './1764316800000-CreatePayments';
import { CreatePaymentIntents1764480000000 } from './1764480000000-CreatePaymentIntents';

/** In order: TypeORM runs the ones not yet recorded in its migrations table. */
export const migrations = [
  CreatePayments1764316800000,
  CreateEventTables1764400000000,
  CreatePaymentIntents1764480000000,
  AddEventRetentionIndexes1764748800000,
];
