import DataLoader from 'dataloader';
import type { UserQueries } from './db/UserQueries';
import { type User, toUser } from './schema/User';

/** Per request, so N users cost one query, and nothing leaks between users. */
export function createLoaders(users: UserQueries) {
  return {
    user: new DataLoader<string, User | null>(async (ids) => {
      const byId = new Map((await users.findByIds(ids)).map((row) => [row.id, toUser(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type UserLoaders = ReturnType<typeof createLoaders>;
