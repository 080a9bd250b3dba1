import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from './envelope';
import { prepared } from '../db/preparedStatements';

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
