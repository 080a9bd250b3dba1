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

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes what is past retention now; how many rows of each table. */
  async prune(): Promise<{ outbox: number; processedEvents: number }> {
    const cutoff = new Date(Date.now() - this.retention.retentionMs);
    const outbox = await this.deleteInBatches(
      'outbox',
      'DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE published_at < $1 LIMIT $2)',
      cutoff,
    );
    const processedEvents = await this.deleteInBatches(
      'processed_events',
      'DELETE FROM processed_events WHERE ctid IN (SELECT ctid FROM processed_events WHERE processed_at < $1 LIMIT $2)',
      cutoff,
    );
    if (outbox + processedEvents > 0) this.log.info({ outbox, processedEvents, cutoff }, 'event tables pruned');
    return { outbox, processedEvents };
  }

  private async deleteInBatches(table: string, sql: string, cutoff: Date): Promise<number> {
    const batchSize = this.retention.batchSize ?? 5_000;
    let total = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(sql, [cutoff, batchSize])) as [unknown, number];
      total += deleted;
      this.pruned.inc({ table }, deleted);
      if (deleted < batchSize) return total;
    }
  }
}
