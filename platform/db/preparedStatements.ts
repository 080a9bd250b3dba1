import type { Pool, PoolClient } from 'pg';

/**
 * Statements a service runs many times a second (each saga step, the inbox,
 * the outbox) are prepared once per pooled connection and then only bound and
 * executed: on this kind of machine Postgres spent as much CPU planning them
 * again at every call as running them. Opt-in by text, so the number of
 * prepared statements per connection stays as small as the list of hot
 * statements (TypeORM's generated SQL, with IN lists of every length, is not).
 */
const names = new Map<string, string>();

/**
 * Marks a statement for preparation and returns its text unchanged, so call
 * sites still go through `tx.query` (and TypeORM's result shapes). The text
 * must name its columns: a prepared `SELECT *` or `RETURNING *` fails with
 * "cached plan must not change result type" once a migration adds a column
 * while the replica runs.
 */
export function prepared(sql: string): string {
  if (!names.has(sql)) names.set(sql, `prepared_${names.size + 1}`);
  return sql;
}

const PREPARING = Symbol('preparing');

/**
 * Every connection of the pool sends the marked statements by name; pg parses
 * each once per connection. Wrapped when first handed out (also the
 * connections opened before this was called).
 */
export function usePreparedStatements(pool: Pool): void {
  pool.on('acquire', (client: PoolClient & { [PREPARING]?: true }) => {
    if (client[PREPARING]) return;
    client[PREPARING] = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const name = typeof args[0] === 'string' ? names.get(args[0]) : undefined;
      if (name) args[0] = { name, text: args[0] };
      return query(...args);
    };
  });
}
