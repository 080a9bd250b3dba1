import type { DataSource, EntityManager } from 'typeorm';
import type { EventEnvelope } from './envelope';
import { prepared } from '../db/preparedStatements';

/**
 * The outbox table's one owner: every statement on `outbox` is here (its DDL
 * is in migrations/). The relay, the metrics and the pruner call these.
 */

/** The channel the relay listens on, so it publishes at once instead of at its next poll. */
export const OUTBOX_CHANNEL = 'outbox';

/**
 * Appends events to the outbox inside the caller's transaction: they are
 * published if and only if the state change that caused them commits.
 */
export async function appendToOutbox(tx: EntityManager, ...events: EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  if (!tx.queryRunner?.isTransactionActive) throw new Error('appendToOutbox needs a transaction');
  const values: unknown[] = [];
  const rows = events.map((event, i) => {
    values.push(event.id, event.type, event.subject, JSON.stringify(event));
    return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}::jsonb)`;
  });
  // One statement, one round trip: a data-modifying WITH runs whether or not it is read.
  // The notification is delivered on commit only, and folded into one per transaction.
  // Prepared: one text per number of events a transaction appends, which is a handful.
  await tx.query(
    prepared(`WITH inserted AS (INSERT INTO outbox (id, type, aggregate_id, envelope) VALUES ${rows.join(', ')})
     SELECT pg_notify('${OUTBOX_CHANNEL}', '')`),
    values,
  );
}

/** A statement prepared by name on the connection that runs it (the relay's own). */
export interface NamedStatement {
  name: string;
  text: string;
}

export const UNPUBLISHED_ROWS_SQL = 'SELECT seq, envelope FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1';

/** The next unpublished rows, in the order they were written: `[batchSize]` -> `{ seq, envelope }`. */
export const READ_UNPUBLISHED: NamedStatement = { name: 'outbox-relay-read', text: UNPUBLISHED_ROWS_SQL };

/**
 * Marks a batch's outcomes: `[sentSeqs, failedSeqs, lastError]`. Both outcomes
 * in one statement (no transaction needed: it is one statement).
 */
export const MARK_OUTCOMES: NamedStatement = {
  name: 'outbox-relay-mark',
  text: `WITH sent AS (
           UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE seq = ANY($1::bigint[])
         )
         UPDATE outbox SET attempts = attempts + 1, last_error = $3 WHERE seq = ANY($2::bigint[])`,
};

/** The outbox_pending gauge's reading: events not yet published. */
export const COUNT_PENDING_SQL = 'SELECT count(*)::int AS value FROM outbox WHERE published_at IS NULL';

/** The outbox_oldest_pending_age_seconds gauge's reading (0 when none waits). */
export const OLDEST_PENDING_AGE_SQL =
  'SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS value FROM outbox WHERE published_at IS NULL';

/**
 * Deletes up to `limit` rows published before `cutoff` whose seq is after
 * `afterSeq`, walking the primary key; how many, and the last seq deleted.
 * An unpublished row is never deleted, however old.
 */
export async function deletePublishedBatch(
  db: DataSource,
  afterSeq: unknown,
  cutoff: Date,
  limit: number,
): Promise<{ deleted: number; after: unknown[] }> {
  const rows = (await db.query(
    `WITH doomed AS (
       SELECT seq FROM outbox WHERE seq > $1 AND published_at < $2 ORDER BY seq LIMIT $3
     ), deleted AS (
       DELETE FROM outbox o USING doomed d WHERE o.seq = d.seq RETURNING o.seq
     )
     SELECT count(*)::int AS n, max(seq) AS seq FROM deleted`,
    [afterSeq, cutoff, limit],
  )) as { n: number; seq: unknown }[];
  return { deleted: Number(rows[0]?.n ?? 0), after: [rows[0]?.seq] };
}
