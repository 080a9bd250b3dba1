import { connect } from 'nats';
import { Client } from 'pg';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';
import { natsServers } from '../../platform/events/natsServers';
import { listDeadLetters } from '../../platform/events/deadLetters';
import { COUNT_PENDING_SQL } from '../../platform/events/outbox';

export interface OrderFact {
  id: string;
  userId: string;
  status: string;
  rejectionReason: string | null;
  totalCents: number;
  idempotencyKey: string | null;
  cancelRequested: boolean;
}

export interface PaymentFact {
  id: string;
  orderId: string;
  status: string;
  amountCents: number;
}

/** A row of the simulated provider's own ledger (provider_charges): what money really moved. */
export interface LedgerFact {
  key: string;
  kind: 'charge' | 'refund';
  outcome: 'succeeded' | 'declined';
  providerRef: string | null;
  refundedRef: string | null;
  amountCents: number;
}

export interface DeadLetterFact {
  subject: string;
  consumer?: string;
  reason?: string;
}

/** What the run left in its databases and streams, read once its orders have ended. */
export interface RunSnapshot {
  orders: OrderFact[];
  /** Orders whose history has PAID more than once. */
  paidTwice: string[];
  payments: PaymentFact[];
  ledger: LedgerFact[];
  stock: { productId: string; onHand: number; reserved: number }[];
  reservations: { orderId: string; productId: string; status: string; quantity: number }[];
  /** Outbox rows not yet published, per database; null where the service keeps no outbox. */
  outboxPending: Record<SubgraphName, number | null>;
  deadLetters: { count: number; samples: DeadLetterFact[] };
}

const DEAD_LETTER_SAMPLES = 5;

/**
 * Each database is read in one REPEATABLE READ transaction, so its tables
 * agree with each other (stock with reservations, payments with the ledger).
 */
export async function readRunSnapshot(
  databaseUrl: (service: SubgraphName) => string,
  natsUrl: string,
  prefix: string,
): Promise<RunSnapshot> {
  const [orders, payments, inventory, outboxPending, deadLetters] = await Promise.all([
    inSnapshot(databaseUrl('orders'), async (db) => ({
      orders: (
        await db.query(`SELECT id, user_id, status, rejection_reason, total_cents, idempotency_key,
                               cancel_requested_at IS NOT NULL AS cancel_requested FROM orders`)
      ).rows.map((r) => ({
        id: r.id,
        userId: r.user_id,
        status: r.status,
        rejectionReason: r.rejection_reason,
        totalCents: r.total_cents,
        idempotencyKey: r.idempotency_key,
        cancelRequested: r.cancel_requested,
      })),
      paidTwice: (
        await db.query(`SELECT order_id FROM order_status_history WHERE status = 'PAID'
                         GROUP BY order_id HAVING count(*) > 1`)
      ).rows.map((r) => r.order_id as string),
    })),
    inSnapshot(databaseUrl('payments'), async (db) => ({
      payments: (await db.query('SELECT id, order_id, status, amount_cents FROM payments')).rows.map((r) => ({
        id: r.id,
        orderId: r.order_id,
        status: r.status,
        amountCents: r.amount_cents,
      })),
      ledger: (
        await db.query(
          'SELECT idempotency_key, kind, outcome, provider_ref, refunded_ref, amount_cents FROM provider_charges',
        )
      ).rows.map((r) => ({
        key: r.idempotency_key,
        kind: r.kind,
        outcome: r.outcome,
        providerRef: r.provider_ref,
        refundedRef: r.refunded_ref,
        amountCents: r.amount_cents,
      })),
    })),
    inSnapshot(databaseUrl('inventory'), async (db) => ({
      stock: (await db.query('SELECT product_id, on_hand, reserved FROM stock')).rows.map((r) => ({
        productId: r.product_id,
        onHand: r.on_hand,
        reserved: r.reserved,
      })),
      reservations: (await db.query('SELECT order_id, product_id, status, quantity FROM reservations')).rows.map(
        (r) => ({ orderId: r.order_id, productId: r.product_id, status: r.status, quantity: r.quantity }),
      ),
    })),
    readOutboxes(databaseUrl),
    readDeadLetters(natsUrl, prefix),
  ]);
  return { ...orders, ...payments, ...inventory, outboxPending, deadLetters };
}

/** Unpublished outbox rows in every database (the count outbox_pending reports, platform/events/outbox.ts). */
export async function readOutboxes(
  databaseUrl: (service: SubgraphName) => string,
): Promise<Record<SubgraphName, number | null>> {
  const counts = await Promise.all(
    SUBGRAPH_NAMES.map((name) =>
      inSnapshot(databaseUrl(name), async (db) => {
        const { rows } = await db.query(`SELECT to_regclass('outbox') IS NOT NULL AS present`);
        if (!rows[0].present) return null;
        const pending = await db.query(COUNT_PENDING_SQL);
        return pending.rows[0].value as number;
      }),
    ),
  );
  return Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, counts[i]])) as Record<SubgraphName, number | null>;
}

async function readDeadLetters(natsUrl: string, prefix: string): Promise<RunSnapshot['deadLetters']> {
  const nc = await connect({ servers: natsServers(natsUrl), timeout: 5_000 });
  try {
    const letters = await listDeadLetters(nc, prefix);
    const samples = letters.slice(0, DEAD_LETTER_SAMPLES).map((letter) => ({
      subject: letter.subject,
      consumer: letter.consumer,
      reason: letter.reason,
    }));
    return { count: letters.length, samples };
  } finally {
    await nc.close();
  }
}

async function inSnapshot<T>(url: string, read: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await read(db);
    await db.query('COMMIT');
    return result;
  } finally {
    await db.end();
  }
}
