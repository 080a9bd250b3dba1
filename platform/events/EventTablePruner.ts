import type { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { deleteProcessedBatch, INBOX_WALK_START } from './inbox';
import { deletePublishedBatch } from './outbox';

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
    const outbox = await this.walk('outbox', [0], (after, limit) =>
      deletePublishedBatch(this.dataSource, after[0], cutoff, limit),
    );
    const processedEvents = await this.walk('processed_events', INBOX_WALK_START, (after, limit) =>
      deleteProcessedBatch(this.dataSource, after, cutoff, limit),
    );
    if (outbox + processedEvents > 0) this.log.info({ outbox, processedEvents, cutoff }, 'event tables pruned');
    return { outbox, processedEvents };
  }

  /** Deletes batch after batch; `batch(after, limit)` deletes the next rows after that key and returns the last one. */
  private async walk(
    table: string,
    start: unknown[],
    batch: (after: unknown[], limit: number) => Promise<{ deleted: number; after: unknown[] }>,
  ): Promise<number> {
    const batchSize = this.retention.batchSize ?? 5_000;
    let after = start;
    let total = 0;
    while (!this.stopping) {
      const result = await batch(after, batchSize);
      total += result.deleted;
      this.pruned.inc({ table }, result.deleted);
      if (result.deleted < batchSize) break;
      after = result.after;
    }
    return total;
  }
}
