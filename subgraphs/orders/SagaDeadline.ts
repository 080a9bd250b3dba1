import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../../platform/logger';
import type { Metrics } from '../../platform/metrics';
import type { OrderService } from './OrderService';

/** Orders ended per transaction: a backlog of stuck orders is worked off in short transactions. */
const BATCH = 100;
/** How often to look, as a share of the deadline: an order ends at most this much after it. */
const SWEEPS_PER_DEADLINE = 20;
const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 10_000;

/**
 * No order waits for ever: every few seconds, orders still PENDING or
 * RESERVED ORDER_DEADLINE after they were placed are ended by the saga itself
 * (REJECTED, TIMED_OUT; see OrderService.endOverdue). That covers an order
 * whose event went to the dead letters, a service that lost its state, or a
 * payment provider that never answers. Every orders replica sweeps; they
 * never take the same order (SKIP LOCKED).
 */
export class SagaDeadline {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private overdue = 0;
  private readonly timedOut: Counter;
  private readonly intervalMs: number;

  constructor(
    private readonly orders: OrderService,
    private readonly deadlineMs: number,
    private readonly log: Logger,
    metrics: Metrics,
  ) {
    this.intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, deadlineMs / SWEEPS_PER_DEADLINE));
    const registers = [metrics.registry];
    this.timedOut = new Counter({
      name: 'orders_timed_out_total',
      help: 'Orders the saga did not finish within ORDER_DEADLINE, ended REJECTED (TIMED_OUT)',
      registers,
    });
    const read = () => this.overdue;
    new Gauge({
      name: 'orders_saga_overdue',
      help: 'Orders still PENDING or RESERVED after ORDER_DEADLINE once the last sweep was done (should be 0)',
      registers,
      collect() {
        this.set(read());
      },
    });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Waits for a sweep in progress: its transaction commits or rolls back before the pool closes. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Ends every overdue order it can, then counts the ones left (locked by a saga step, or failing). */
  async sweep(): Promise<void> {
    try {
      for (;;) {
        const ended = await this.orders.endOverdue(this.deadlineMs, BATCH, this.log);
        this.timedOut.inc(ended);
        if (ended < BATCH) break;
      }
      this.overdue = await this.orders.countOverdue(this.deadlineMs);
    } catch (error) {
      // The database away: the orders wait for the next sweep; the gauge keeps its last reading.
      this.log.warn({ err: (error as Error).message }, 'order deadline sweep failed');
    }
  }
}
