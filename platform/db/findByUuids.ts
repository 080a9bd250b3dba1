import type { ObjectLiteral, Repository } from 'typeorm';
import { isUuid } from '../graphql/ids';

/**
 * The rows whose `column` is one of `ids`, in one query (a DataLoader's batch). An id that is not a
 * UUID matches no row: it is left out rather than sent, since Postgres would refuse the cast.
 */
export async function findByUuids<T extends ObjectLiteral>(
  rows: Repository<T>,
  column: string,
  ids: readonly string[],
): Promise<T[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return rows.createQueryBuilder('r').where(`r.${column} = ANY(:ids)`, { ids: valid }).getMany();
}
