import type { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';

export interface EventRetention {
  /** Published outbox rows and handled-event records older than this are deleted. */
  retentionMs: number;
  /** How often to look. */
  intervalMs: number;
  /** Rows per DELETE: short statements, short locks, while the saga goes on. */
  batchSize?: number;
}

/**
 * Keeps the outbox and the inbox (processed_events) from growing forever:
 * every 5 events per order stay otherwise. Only what can no longer matter
 * goes: an outbox row long published (JetStream drops a re-publish only
 * within its dedupe window anyway; an unpublished row is never deleted,
 * however old) and an inbox record older than any redelivery can come
 * (retention is at least an hour; a message's redeliveries end within
 * max_deliver x 30 s). Replicas may prune at once: a row is deleted once.
 */
export class EventTablePruner {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly retention: EventRetention,
    private readonly log: Logger,
    private readonly pruned: Counter<'table'>,
  ) {}

  private stopping = false;

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.prune()
        .then(() => undefined)
        // Only costs disk until the next round: the rows are still there to delete.
        .catch((error: Error) => this.log.warn({ err: error.message }, 'pruning the event tables failed'))
        .finally(() => (this.running = undefined));
    }, this.retention.intervalMs);
    this.timer.unref();
  }

  /** Stops after the batch being deleted, not after the whole prune. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Deletes what is past retention now; how many rows of each table. Each
   * table is walked once along its primary key, a batch at a time, each
   * batch starting where the last one ended: no batch reads again what an
   * earlier one deleted (the rows stay in the heap until vacuum).
   */
  async prune(): Promise<{ outbox: number; processedEvents: number }> {
    const cutoff = new Date(Date.now() - this.retention.retentionMs);
    const outbox = await this.walk('outbox', ['seq'], [0], cutoff, (after) => ({
      sql: `WITH doomed AS (
              SELECT seq FROM outbox WHERE seq > $1 AND published_at < $2 ORDER BY seq LIMIT $3
            ), deleted AS (
              DELETE FROM outbox o USING doomed d WHERE o.seq = d.seq RETURNING o.seq
            )
            SELECT count(*)::int AS n, max(seq) AS seq FROM deleted`,
      values: [after[0]],
    }));
    const processedEvents = await this.walk(
      'processed_events',
      ['consumer', 'event_id'],
      ['', '00000000-0000-0000-0000-000000000000'],
      cutoff,
      (after) => ({
        sql: `WITH doomed AS (
                SELECT consumer, event_id FROM processed_events
                 WHERE (consumer, event_id) > ($1, $2::uuid) AND processed_at < $3
                 ORDER BY consumer, event_id LIMIT $4
              ), deleted AS (
                DELETE FROM processed_events p USING doomed d
                 WHERE p.consumer = d.consumer AND p.event_id = d.event_id
                RETURNING p.consumer, p.event_id
              )
              SELECT count(*)::int AS n, last.consumer, last.event_id
                FROM deleted
                LEFT JOIN LATERAL (
                  SELECT consumer, event_id FROM deleted ORDER BY consumer DESC, event_id DESC LIMIT 1
                ) last ON true
               GROUP BY last.consumer, last.event_id`,
        values: after,
      }),
    );
    if (outbox + processedEvents > 0) this.log.info({ outbox, processedEvents, cutoff }, 'event tables pruned');
    return { outbox, processedEvents };
  }

  /** Deletes batch after batch; `batch(after)` deletes the next rows after that key and returns the last one. */
  private async walk(
    table: string,
    keyColumns: string[],
    start: unknown[],
    cutoff: Date,
    batch: (after: unknown[]) => { sql: string; values: unknown[] },
  ): Promise<number> {
    const batchSize = this.retention.batchSize ?? 5_000;
    let after = start;
    let total = 0;
    while (!this.stopping) {
      const { sql, values } = batch(after);
      const rows = (await this.dataSource.query(sql, [...values, cutoff, batchSize])) as Record<string, unknown>[];
      const deleted = Number(rows[0]?.n ?? 0);
      total += deleted;
      this.pruned.inc({ table }, deleted);
      if (deleted < batchSize) break;
      after = keyColumns.map((column) => rows[0][column]);
    }
    return total;
  }
}
