import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateStock1764230400000 implements MigrationInterface {
  name = 'CreateStock1764230400000';

  async up(db: QueryRunner): Promise<void> {
    // The CHECKs are the last line of defence: stock can never go negative,
    // nor can more be reserved than is on hand, whatever the code above does.
    await db.query(`
      CREATE TABLE stock (
        product_id uuid PRIMARY KEY,
        on_hand    integer NOT NULL CHECK (on_hand >= 0),
        reserved   integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE stock');
  }
}
