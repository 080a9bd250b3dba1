import type { DataSource, EntityManager } from 'typeorm';
import { prepared } from '../db/preparedStatements';

/**
 * The inbox table's (processed_events) one owner: every statement on it is
 * here (its DDL is in migrations/). The consumer and the pruner call these.
 */

/**
 * Records that a consumer handled an event, in the transaction of its
 * effect. False when it was already recorded: the caller must then roll back
 * and change nothing (a redelivery or a duplicate publish).
 */
export async function recordProcessed(tx: EntityManager, consumer: string, eventId: string): Promise<boolean> {
  const rows = (await tx.query(
    prepared(`INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
     ON CONFLICT DO NOTHING RETURNING event_id`),
    [consumer, eventId],
  )) as unknown[];
  return rows.length === 1;
}

/** Whether the consumer has handled the event (committed its effect). */
export async function wasProcessed(
  db: DataSource | EntityManager,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const rows = (await db.query(prepared('SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2'), [
    consumer,
    eventId,
  ])) as unknown[];
  return rows.length > 0;
}

/** Where a walk of the inbox along its primary key starts. */
export const INBOX_WALK_START: unknown[] = ['', '00000000-0000-0000-0000-000000000000'];

/**
 * Deletes up to `limit` records handled before `cutoff` whose key is after
 * `after` (`[consumer, eventId]`), walking the primary key; how many, and the
 * last key deleted.
 */
export async function deleteProcessedBatch(
  db: DataSource,
  after: unknown[],
  cutoff: Date,
  limit: number,
): Promise<{ deleted: number; after: unknown[] }> {
  const rows = (await db.query(
    `WITH doomed AS (
       SELECT consumer, event_id FROM processed_events
        WHERE (consumer, event_id) > ($1, $2::uuid) AND processed_at < $3
        ORDER BY consumer, event_id LIMIT $4
     ), deleted AS (
       DELETE FROM processed_events p USING doomed d
        WHERE p.consumer = d.consumer AND p.event_id = d.event_id
       RETURNING p.consumer, p.event_id
     )
     SELECT count(*)::int AS n, last.consumer, last.event_id
       FROM deleted
       LEFT JOIN LATERAL (
         SELECT consumer, event_id FROM deleted ORDER BY consumer DESC, event_id DESC LIMIT 1
       ) last ON true
      GROUP BY last.consumer, last.event_id`,
    [...after, cutoff, limit],
  )) as { n: number; consumer: unknown; event_id: unknown }[];
  return { deleted: Number(rows[0]?.n ?? 0), after: [rows[0]?.consumer, rows[0]?.event_id] };
}
