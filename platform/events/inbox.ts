import type { EntityManager } from 'typeorm';
import { prepared } from '../db/preparedStatements';

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
