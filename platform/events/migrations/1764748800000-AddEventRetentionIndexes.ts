import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What EventTablePruner deletes by: when an outbox row was published and
 * when an event was handled. BRIN, not B-tree: both columns grow with the
 * rows' physical order, and a BRIN index costs next to nothing on the saga's
 * hot inserts while letting the hourly prune skip everything recent.
 */
export class AddEventRetentionIndexes1764748800000 implements MigrationInterface {
  name = 'AddEventRetentionIndexes1764748800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE INDEX outbox_published_at_brin ON outbox USING brin (published_at)');
    await db.query('CREATE INDEX processed_events_processed_at_brin ON processed_events USING brin (processed_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX processed_events_processed_at_brin');
    await db.query('DROP INDEX outbox_published_at_brin');
  }
}
