import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCancelledOrders1764576000000 implements MigrationInterface {
  name = 'CreateCancelledOrders1764576000000';

  async up(db: QueryRunner): Promise<void> {
    // Orders cancelled before inventory reserved anything: a late (retried)
    // orders.placed for one of them must reserve nothing.
    await db.query(`
      CREATE TABLE cancelled_orders (
        order_id     uuid PRIMARY KEY,
        cancelled_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE cancelled_orders');
  }
}
