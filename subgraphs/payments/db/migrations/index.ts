import { CreatePayments1764316800000 } from './1764316800000-CreatePayments';

/** In order: TypeORM runs the ones not yet recorded in its migrations table. */
export const migrations = [CreatePayments1764316800000];
