import { CreateProducts1764230400000 } from './1764230400000-CreateProducts';

/** In order: TypeORM runs the ones not yet recorded in its migrations table. */
export const migrations = [CreateProducts1764230400000];
