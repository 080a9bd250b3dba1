import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1764316800000 implements MigrationInterface {
  name = 'CreateOrders1764316800000';

  async up(db: QueryRunner): Promise<void> {
    // version: optimistic concurrency for the saga's updates (UPDATE ... WHERE version = $seen).
    // timestamptz(3): millisecond precision, so a JS Date in a page cursor round-trips exactly.
    await db.query(`
      CREATE TABLE orders (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id          uuid         NOT NULL,
        status           text         NOT NULL
                           CHECK (status IN ('PENDING', 'RESERVED', 'PAID', 'REJECTED', 'CANCELLED')),
        rejection_reason text         CHECK (rejection_reason IS NULL OR status = 'REJECTED'),
        total_cents      integer      NOT NULL CHECK (total_cents >= 0),
        currency         char(3)      NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        idempotency_key  varchar(100),
        version          integer      NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_at       timestamptz(3) NOT NULL DEFAULT now(),
        updated_at       timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // placeOrder's idempotency: the same key from the same user finds the first order.
    await db.query(`
      CREATE UNIQUE INDEX orders_user_idempotency_key ON orders (user_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL`);
    // User.orders walks these newest first by keyset (created_at DESC, id DESC), with and without a status filter.
    await db.query('CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC, id DESC)');
    await db.query('CREATE INDEX orders_user_status_created_idx ON orders (user_id, status, created_at DESC, id DESC)');

    // Prices and names as they were when the order was placed; the currency is the order's.
    // The primary key leads with order_id, so it is also the index that loads an order's items.
    await db.query(`
      CREATE TABLE order_items (
        order_id         uuid         NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        line_no          integer      NOT NULL CHECK (line_no >= 1),
        product_id       uuid         NOT NULL,
        product_name     varchar(200) NOT NULL,
        quantity         integer      NOT NULL CHECK (quantity > 0),
        unit_price_cents integer      NOT NULL CHECK (unit_price_cents >= 0),
        PRIMARY KEY (order_id, line_no)
      )`);

    // seq orders the changes: two of them can share a millisecond. The primary key
    // leads with order_id, so it is also the index that loads an order's history.
    await db.query(`
      CREATE TABLE order_status_history (
        order_id uuid    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        seq      integer NOT NULL CHECK (seq >= 1),
        status   text    NOT NULL
                   CHECK (status IN ('PENDING', 'RESERVED', 'PAID', 'REJECTED', 'CANCELLED')),
        at       timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, seq)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE order_status_history');
    await db.query('DROP TABLE order_items');
    await db.query('DROP TABLE orders');
  }
}
