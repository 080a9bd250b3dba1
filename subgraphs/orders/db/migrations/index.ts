import { CreateOrders1764316800000 } from './1764316800000-CreateOrders';

/** In order: TypeORM runs the ones not yet recorded in its migrations table. */
export const migrations = [CreateOrders1764316800000];
