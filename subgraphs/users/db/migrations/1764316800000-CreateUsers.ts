import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1764316800000 implements MigrationInterface {
  name = 'CreateUsers1764316800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email         varchar(254)   NOT NULL,
        name          varchar(100)   NOT NULL,
        role          text           NOT NULL DEFAULT 'CUSTOMER' CHECK (role IN ('CUSTOMER', 'ADMIN')),
        active        boolean        NOT NULL DEFAULT true,
        password_hash text           NOT NULL,
        created_at    timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // Emails are stored normalised (trimmed, lower-case), so this index is what
    // makes sign-up race-free: the second of two concurrent sign-ups gets 23505.
    await db.query('CREATE UNIQUE INDEX users_email_key ON users (email)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE users');
  }
}
