import { Client } from 'pg';

/** One accepted order as the orders database recorded it (ms since the epoch, the database's clock). */
export interface OrderOutcome {
  id: string;
  status: string;
  rejectionReason: string | null;
  pendingAt: number;
  paidAt?: number;
  /** When it reached an end state (PAID, REJECTED or CANCELLED), if it did. */
  endedAt?: number;
}

/**
 * The saga as the orders database saw it: each order's status and its
 * status history (PENDING -> ... -> PAID), read after the fact, so the bench's
 * measuring does not slow the saga down. The database runs on this machine:
 * its clock is the bench's.
 */
export class SagaHistory {
  private constructor(private readonly db: Client) {}

  static async open(ordersDatabaseUrl: string): Promise<SagaHistory> {
    const db = new Client({ connectionString: ordersDatabaseUrl });
    await db.connect();
    return new SagaHistory(db);
  }

  close(): Promise<void> {
    return this.db.end();
  }

  /** Those of `ids` not yet ended; all unfinished orders of the shop without `ids`. */
  async unfinished(ids?: string[]): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM orders
        WHERE status IN ('PENDING', 'RESERVED') AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))`,
      [ids ?? null],
    );
    return Number(rows[0].n);
  }

  /** Waits (at most `seconds`) until every one of `ids` (every order, without) ended; returns how many did not. */
  async waitUntilEnded(ids: string[] | undefined, seconds: number): Promise<number> {
    const deadline = Date.now() + seconds * 1000;
    let unfinished = await this.unfinished(ids);
    while (unfinished > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      unfinished = await this.unfinished(ids);
    }
    return unfinished;
  }

  async outcomes(ids: string[]): Promise<OrderOutcome[]> {
    const { rows } = await this.db.query<{
      id: string;
      status: string;
      rejection_reason: string | null;
      pending_at: Date;
      paid_at: Date | null;
      ended_at: Date | null;
    }>(
      `SELECT o.id, o.status, o.rejection_reason,
              min(h.at) FILTER (WHERE h.status = 'PENDING') AS pending_at,
              min(h.at) FILTER (WHERE h.status = 'PAID') AS paid_at,
              min(h.at) FILTER (WHERE h.status IN ('PAID', 'REJECTED', 'CANCELLED')) AS ended_at
         FROM orders o JOIN order_status_history h ON h.order_id = o.id
        WHERE o.id = ANY($1::uuid[])
        GROUP BY o.id`,
      [ids],
    );
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      rejectionReason: row.rejection_reason,
      pendingAt: row.pending_at.getTime(),
      paidAt: row.paid_at?.getTime(),
      endedAt: row.ended_at?.getTime(),
    }));
  }

  /** Orders placed since `at`, whoever was told what: compared with those accepted, none is lost or unseen. */
  async placedSince(at: number): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE created_at >= $1`, [
      new Date(at),
    ]);
    return Number(rows[0].n);
  }
}
