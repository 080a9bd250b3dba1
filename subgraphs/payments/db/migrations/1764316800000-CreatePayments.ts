import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1764316800000 implements MigrationInterface {
  name = 'CreatePayments1764316800000';

  async up(db: QueryRunner): Promise<void> {
    // user_id is the order's owner, copied from the event that asks for the charge:
    // payments authorizes reads without calling orders.
    // timestamptz(3): millisecond precision, as everywhere, so JS Dates round-trip exactly.
    await db.query(`
      CREATE TABLE payments (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id       uuid    NOT NULL,
        user_id        uuid    NOT NULL,
        amount_cents   integer NOT NULL CHECK (amount_cents >= 0),
        currency       char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        status         text    NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED')),
        failure_reason text    CHECK (failure_reason IS NULL OR status = 'FAILED'),
        provider_ref   text,
        created_at     timestamptz(3) NOT NULL DEFAULT now(),
        updated_at     timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // Order.payment is the latest payment of each order: this index finds it (and all of an order's payments).
    await db.query('CREATE INDEX payments_order_created_idx ON payments (order_id, created_at DESC, id DESC)');
    // At most one payment per order that has taken or may still take money: a redelivered
    // "charge" event cannot charge twice. A FAILED attempt took no money, so it blocks
    // nothing; REFUNDED is what a SUCCEEDED payment becomes once the money went back.
    await db.query(`
      CREATE UNIQUE INDEX payments_order_live_key ON payments (order_id)
        WHERE status IN ('PENDING', 'SUCCEEDED')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE payments');
  }
}
