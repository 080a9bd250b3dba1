import { CreateUsers1764316800000 } from './1764316800000-CreateUsers';

/** In order: TypeORM runs the ones not yet recorded in its migrations table. */
export const migrations = [CreateUsers1764316800000];
