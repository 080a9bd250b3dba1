import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReservations1764489600000 implements MigrationInterface {
  name = 'CreateReservations1764489600000';

  async up(db: QueryRunner): Promise<void> {
    // One row per order line. The saga only ever looks reservations up by order,
    // which the primary key serves; no index on status is needed for it.
    await db.query(`
      CREATE TABLE reservations (
        order_id   uuid    NOT NULL,
        product_id uuid    NOT NULL,
        quantity   integer NOT NULL CHECK (quantity > 0),
        status     text    NOT NULL CHECK (status IN ('RESERVED', 'COMMITTED', 'RELEASED', 'RESTOCKED')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, product_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE reservations');
  }
}
