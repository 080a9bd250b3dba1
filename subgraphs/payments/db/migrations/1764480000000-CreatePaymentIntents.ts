import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePaymentIntents1764480000000 implements MigrationInterface {
  name = 'CreatePaymentIntents1764480000000';

  async up(db: QueryRunner): Promise<void> {
    // What orders.placed asks to be charged once stock is reserved (inventory.reserved
    // carries only the order id). card_token is the provider's token, never a card number.
    await db.query(`
      CREATE TABLE payment_intents (
        order_id     uuid PRIMARY KEY,
        user_id      uuid    NOT NULL,
        amount_cents integer NOT NULL CHECK (amount_cents >= 0),
        currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        card_token   text    NOT NULL,
        cancelled_at timestamptz(3),
        created_at   timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // The refund's reference at the provider, for reconciliation; money taken always
    // has the charge's reference, which a refund needs.
    await db.query(`
      ALTER TABLE payments
        ADD COLUMN refund_ref text CHECK (refund_ref IS NULL OR status = 'REFUNDED'),
        ADD CONSTRAINT payments_settled_has_ref
          CHECK (status NOT IN ('SUCCEEDED', 'REFUNDED') OR provider_ref IS NOT NULL)`);
    // The simulated provider's own ledger: it stands in for the processor's records
    // (what was charged and refunded, by idempotency key), so it shares nothing with
    // the tables above and is written outside payments' transactions.
    await db.query(`
      CREATE TABLE provider_charges (
        idempotency_key text PRIMARY KEY,
        kind            text    NOT NULL CHECK (kind IN ('charge', 'refund')),
        outcome         text    NOT NULL CHECK (outcome IN ('succeeded', 'declined')),
        decline_reason  text    CHECK ((outcome = 'declined') = (decline_reason IS NOT NULL)),
        provider_ref    text    UNIQUE CHECK ((outcome = 'succeeded') = (provider_ref IS NOT NULL)),
        refunded_ref    text    CHECK ((kind = 'refund') = (refunded_ref IS NOT NULL)),
        amount_cents    integer NOT NULL CHECK (amount_cents >= 0),
        currency        char(3),
        created_at      timestamptz(3) NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE provider_charges');
    await db.query('ALTER TABLE payments DROP CONSTRAINT payments_settled_has_ref, DROP COLUMN refund_ref');
    await db.query('DROP TABLE payment_intents');
  }
}
