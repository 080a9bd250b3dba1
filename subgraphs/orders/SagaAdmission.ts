import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ServiceUnavailableError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { Metrics } from '../../platform/metrics';
import {
  admits,
  IDLE_SAMPLE,
  MIN_SLOW_EVIDENCE,
  nextLimit,
  type AdmissionSample,
  type AdmissionSettings,
} from './domain/admissionLimit';
import { prepared } from '../../platform/db/preparedStatements';

export interface SagaAdmissionOptions extends Omit<AdmissionSettings, 'maxLimit'> {
  /** How often the backlog is read from the database. */
  sampleMs: number;
}

/** Orders older than this are not load but stuck (a dead-lettered event): they do not count. */
const BACKLOG_WINDOW_FACTOR = 30;
const FINISHED_WINDOW_MS = 1_000;
/** How far back the latency without a queue (the baseline) is looked for. */
const BASELINE_WINDOW_MS = 5 * 60_000;
/** A sample older than this many periods is not trusted to refuse anything. */
const STALE_SAMPLES = 10;
const MAX_LIMIT = 100_000;

/**
 * Admission control for placeOrder (see domain/admissionLimit): reads the
 * saga backlog every `sampleMs` (one statement on a partial index, whatever
 * the request rate), adapts the limit, and refuses an order over it with
 * SERVICE_UNAVAILABLE (reason `saga_backlog`) before it costs anything.
 * Replicas each read the shared backlog; each adds only its own orders not
 * yet in it, so together they may overshoot by a sample's worth. Latencies
 * are those of the orders this replica's consumers finish: a sample of all.
 */
export class SagaAdmission {
  private readonly settings: AdmissionSettings;
  private limit: number;
  private sample: AdmissionSample = IDLE_SAMPLE;
  private sampledAt = 0;
  /** Admitted here and still being placed (products call, transaction): in no sample yet. */
  private placing = 0;
  /** Placed (committed) here since the sample's statement started: in no sample yet either. */
  private placedSince = 0;
  /** The latency of each sample that had enough finished orders to tell, for the baseline. */
  private latencyHistory: { at: number; latencyMs: number }[] = [];
  /** Orders finished here in about the last second: when, and how long each took. */
  private finishedRecently: { at: number; latencyMs: number }[] = [];
  private timer?: NodeJS.Timeout;
  private sampling = false;
  private readonly refusals: Counter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: SagaAdmissionOptions,
    private readonly log: Logger,
    metrics: Metrics,
  ) {
    this.settings = { targetMs: options.targetMs, burst: options.burst, maxLimit: MAX_LIMIT };
    this.limit = options.burst;
    const registers = [metrics.registry];
    this.refusals = new Counter({
      name: 'orders_admission_refusals_total',
      help: 'placeOrder calls refused because the saga was behind its latency target',
      registers,
    });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge(
      'orders_saga_backlog',
      'Orders placed recently and not yet PAID, REJECTED or CANCELLED',
      () => this.sample.backlog,
    );
    gauge('orders_saga_oldest_ms', 'Age of the oldest of them', () => this.sample.oldestMs);
    gauge(
      'orders_saga_latency_ms',
      'placeOrder -> end state of the orders finished here in the last second, 90th percentile',
      () => this.sample.latencyMs,
    );
    gauge(
      'orders_saga_baseline_latency_ms',
      'The lowest of those latencies in the last 5 minutes: the saga without a queue',
      () => this.sample.baselineMs,
    );
    gauge('orders_admission_limit', 'Unfinished orders placeOrder lets in at once', () => this.limit);
  }

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.options.sampleMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Throws SERVICE_UNAVAILABLE when one more order would put the saga behind
   * its target; otherwise returns what to call once the order is placed (true)
   * or not (false), so that it counts until a sample sees it.
   */
  admit(): (placed: boolean) => void {
    // Without a recent sample (the database slow or away) nothing is known, so nothing is refused.
    const known = Date.now() - this.sampledAt <= STALE_SAMPLES * this.options.sampleMs;
    if (known && !admits(this.limit, this.sample, this.placing + this.placedSince, this.settings)) {
      this.refusals.inc();
      throw new ServiceUnavailableError('Too many orders are being processed; try again shortly', {
        reason: 'saga_backlog',
      });
    }
    this.placing += 1;
    let done = false;
    return (placed) => {
      if (done) return;
      done = true;
      this.placing -= 1;
      if (placed) this.placedSince += 1;
    };
  }

  /** An order reached an end state here, `latencyMs` after it was placed. */
  recordFinished(latencyMs: number): void {
    this.finishedRecently.push({ at: Date.now(), latencyMs });
  }

  private async refresh(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const windowSeconds = (this.options.targetMs * BACKLOG_WINDOW_FACTOR) / 1000;
      // Placed before the statement: in its count (or committing now, then counted twice: the safe side).
      const placedBefore = this.placedSince;
      const [row] = (await this.dataSource.query(
        prepared(`WITH unfinished AS (
           SELECT count(*)::int AS backlog, min(created_at) AS oldest FROM orders
            WHERE status IN ('PENDING', 'RESERVED') AND created_at > now() - make_interval(secs => $1)
         )
         SELECT backlog,
                coalesce(floor(extract(epoch FROM clock_timestamp() - oldest) * 1000), 0)::int AS oldest_ms,
                (SELECT count(*)::int FROM orders
                  WHERE status IN ('PAID', 'REJECTED', 'CANCELLED')
                    AND updated_at > now() - make_interval(secs => $2)) AS finished
           FROM unfinished`),
        [windowSeconds, FINISHED_WINDOW_MS / 1000],
      )) as { backlog: number; oldest_ms: number; finished: number }[];
      const now = Date.now();
      this.finishedRecently = this.finishedRecently.filter((finished) => now - finished.at <= FINISHED_WINDOW_MS);
      const latencies = this.finishedRecently.map((finished) => finished.latencyMs).sort((a, b) => a - b);
      const latencyMs = latencies[Math.ceil(latencies.length * 0.9) - 1] ?? 0;
      if (latencies.length >= MIN_SLOW_EVIDENCE) this.latencyHistory.push({ at: now, latencyMs });
      this.latencyHistory = this.latencyHistory.filter((entry) => now - entry.at <= BASELINE_WINDOW_MS);
      this.sample = {
        backlog: row.backlog,
        oldestMs: row.oldest_ms,
        finishedPerSecond: (row.finished * 1000) / FINISHED_WINDOW_MS,
        latencySamples: latencies.length,
        latencyMs,
        baselineMs: this.latencyHistory.reduce((min, entry) => Math.min(min, entry.latencyMs), latencyMs),
      };
      this.sampledAt = now;
      this.placedSince -= placedBefore;
      this.limit = nextLimit(this.limit, this.sample, this.settings, this.placing + this.placedSince);
    } catch (error) {
      // Not knowing the backlog refuses nothing once the last sample is stale (see admit).
      this.log.warn({ err: (error as Error).message }, 'saga backlog sample failed');
    } finally {
      this.sampling = false;
    }
  }
}
