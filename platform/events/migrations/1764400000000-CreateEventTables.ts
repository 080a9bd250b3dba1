import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox (events written with the state change that causes them) and the
 * inbox (events already handled) every event-driven subgraph keeps. Each
 * subgraph lists this in its migrations.
 */
export class CreateEventTables1764400000000 implements MigrationInterface {
  name = 'CreateEventTables1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox (
        seq          bigserial PRIMARY KEY,
        id           uuid NOT NULL UNIQUE,
        type         text NOT NULL,
        aggregate_id text NOT NULL,
        envelope     jsonb NOT NULL,
        created_at   timestamptz(3) NOT NULL DEFAULT now(),
        published_at timestamptz(3),
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text
      )`);
    // The relay reads the unsent rows in order; the partial index stays as small as the backlog.
    await db.query('CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL');
    await db.query(`
      CREATE TABLE processed_events (
        consumer     text NOT NULL,
        event_id     uuid NOT NULL,
        processed_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE processed_events');
    await db.query('DROP TABLE outbox');
  }
}
