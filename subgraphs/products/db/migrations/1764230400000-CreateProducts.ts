import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProducts1764230400000 implements MigrationInterface {
  name = 'CreateProducts1764230400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE products (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sku         varchar(64)   NOT NULL,
        name        varchar(200)  NOT NULL,
        description varchar(2000),
        price_cents integer       NOT NULL CHECK (price_cents >= 0),
        currency    char(3)       NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        created_at  timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await db.query('CREATE UNIQUE INDEX products_sku_key ON products (sku)');
    // The catalog is paged by (name, id): keyset pagination walks this index.
    await db.query('CREATE INDEX products_name_id_idx ON products (name, id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE products');
  }
}
