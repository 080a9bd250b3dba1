import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { SubgraphName } from '../../platform/config';
import { readOutboxes } from './readRunSnapshot';

export interface SagaEnd {
  /** From the call to the moment no order was left in the saga; undefined if that never came. */
  endedAfterMs?: number;
  /**
   * Orders still PENDING or RESERVED, PAID and waiting for their refund, or ended otherwise (REJECTED,
   * CANCELLED) with a payment payments has still to give back, when the wait ended.
   */
  unfinished: number;
}

const POLL_MS = 1_000;
/** After the orders: the events the last steps wrote (a reservation committed, say) still to be published. */
const OUTBOX_WAIT_MS = 30_000;
/** And the consumers to finish what they took last. */
const SETTLE_MS = 3_000;

/**
 * Waits, at most `boundMs`, until every order has ended (PAID, REJECTED,
 * CANCELLED; a PAID order with a cancel requested waits for its refund) and
 * payments has given back what it took for an order that ended otherwise (a
 * charge that settled after the order timed out is refunded after it),
 * then a little more for the outboxes to empty, so the invariants read a
 * saga at rest rather than one caught between two steps.
 */
export async function waitForSagaEnd(
  databaseUrl: (service: SubgraphName) => string,
  boundMs: number,
  signal: AbortSignal,
): Promise<SagaEnd> {
  const startedAt = Date.now();
  const orders = new Client({ connectionString: databaseUrl('orders') });
  const payments = new Client({ connectionString: databaseUrl('payments') });
  await Promise.all([orders.connect(), payments.connect()]);
  let unfinished: number;
  try {
    for (;;) {
      const { rows } = await orders.query(
        `SELECT count(*)::int AS n FROM orders
          WHERE status IN ('PENDING', 'RESERVED') OR (status = 'PAID' AND cancel_requested_at IS NOT NULL)`,
      );
      unfinished = (rows[0].n as number) + (await refundsOwed(orders, payments));
      if (unfinished === 0 || Date.now() - startedAt >= boundMs) break;
      await sleep(POLL_MS, undefined, { signal });
    }
  } finally {
    await Promise.all([orders.end(), payments.end()]);
  }
  const endedAfterMs = unfinished === 0 ? Date.now() - startedAt : undefined;
  const outboxDeadline = Date.now() + OUTBOX_WAIT_MS;
  while (Date.now() < outboxDeadline) {
    const pending = Object.values(await readOutboxes(databaseUrl)).reduce<number>((sum, n) => sum + (n ?? 0), 0);
    if (pending === 0) break;
    await sleep(POLL_MS, undefined, { signal });
  }
  await sleep(SETTLE_MS, undefined, { signal });
  return { endedAfterMs, unfinished };
}

/** Orders that ended without being PAID whose payment is still charging or charged: a refund to come. */
async function refundsOwed(orders: Client, payments: Client): Promise<number> {
  const ended = await orders.query(`SELECT id FROM orders WHERE status IN ('REJECTED', 'CANCELLED')`);
  const standing = await payments.query(
    `SELECT DISTINCT order_id FROM payments WHERE status IN ('PENDING', 'SUCCEEDED') AND order_id = ANY($1::uuid[])`,
    [ended.rows.map((row: { id: string }) => row.id)],
  );
  return standing.rowCount ?? 0;
}
