import { CreateStock1764230400000 } from './1764230400000-CreateStock';

/** In order: TypeORM runs the ones not yet recorded in its migrations table. */
export const migrations = [CreateStock1764230400000];
