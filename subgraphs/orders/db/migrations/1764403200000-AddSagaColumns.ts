import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddSagaColumns1764403200000 implements MigrationInterface {
  name = 'AddSagaColumns1764403200000';

  async up(db: QueryRunner): Promise<void> {
    // request_hash: what an idempotency key was first used for (same key, other request = CONFLICT).
    // cancel_requested_at: a PAID order's cancel waits for its refund before it becomes CANCELLED.
    await db.query(`
      ALTER TABLE orders
        ADD COLUMN request_hash char(64),
        ADD COLUMN cancel_requested_at timestamptz(3)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE orders DROP COLUMN request_hash, DROP COLUMN cancel_requested_at');
  }
}
