import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What placeOrder's admission control reads several times a second
 * (SagaAdmission): the unfinished orders by age, and the orders that ended
 * lately. Partial, so each stays small to read: the first holds only orders
 * in the saga, the second is only ever read at its newest end.
 */
export class AddSagaProgressIndexes1764662400000 implements MigrationInterface {
  name = 'AddSagaProgressIndexes1764662400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX orders_unfinished_created_idx ON orders (created_at) WHERE status IN ('PENDING', 'RESERVED')`,
    );
    await db.query(
      `CREATE INDEX orders_ended_updated_idx ON orders (updated_at) WHERE status IN ('PAID', 'REJECTED', 'CANCELLED')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX orders_ended_updated_idx');
    await db.query('DROP INDEX orders_unfinished_created_idx');
  }
}
