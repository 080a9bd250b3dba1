import { Counter, Gauge } from 'prom-client';
import { ServiceUnavailableError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { Metrics } from '../../platform/metrics';
import type { OrderQueries } from './db/OrderQueries';
import {
  admissionLimit,
  admits,
  drainSeconds,
  IDLE_SAMPLE,
  saturated,
  type AdmissionSample,
  type AdmissionSettings,
} from './domain/admissionLimit';

export interface SagaAdmissionOptions extends AdmissionSettings {
  /** How often the backlog is read from the database. */
  sampleMs: number;
}

/** The finishing rate is measured over this long at most (less while the saga has been busy for less). */
const RATE_WINDOW_MS = 5_000;
/** A busy time shorter than this tells no rate yet (the first orders of a burst are still on their way). */
const MIN_RATE_EVIDENCE_MS = 2_000;
/** How far back the highest rate is remembered. */
const PEAK_WINDOW_MS = 10 * 60_000;
/** Latency of the orders finished here lately: reported, not acted on. */
const LATENCY_WINDOW_MS = 1_000;
const BASELINE_WINDOW_MS = 5 * 60_000;
/** A sample older than this many periods is not trusted to refuse anything. */
const STALE_SAMPLES = 10;

/**
 * Admission control for placeOrder (see domain/admissionLimit): reads the
 * saga's backlog and finishing rate every `sampleMs` (one statement on two
 * partial indexes, whatever the request rate) and refuses an order only when
 * the backlog could not be finished within SAGA_MAX_DRAIN_SECONDS, with
 * SERVICE_UNAVAILABLE (reason `saga_backlog`) before it costs anything.
 * Replicas each read the shared backlog and rate; each adds only its own
 * orders not yet in a sample, so together they may overshoot by a sample's worth.
 */
export class SagaAdmission {
  private sample: AdmissionSample = IDLE_SAMPLE;
  private sampledAt = 0;
  /** Since when every sample saw a backlog (undefined: the last one saw none). */
  private busySince?: number;
  /** Admitted here and still being placed (products call, transaction): in no sample yet. */
  private placing = 0;
  /** Placed (committed) here since the sample's statement started: in no sample yet either. */
  private placedSince = 0;
  /** One rate per second at most, measured while the saga was saturated: the peak. */
  private rateHistory: { at: number; perSecond: number }[] = [];
  /** Orders finished here lately: when, and how long each took (the latency metrics). */
  private finishedRecently: { at: number; latencyMs: number }[] = [];
  private latencyMs = 0;
  private latencyHistory: { at: number; latencyMs: number }[] = [];
  private timer?: NodeJS.Timeout;
  private sampling = false;
  private readonly refusals: Counter;

  constructor(
    private readonly orders: OrderQueries,
    private readonly options: SagaAdmissionOptions,
    private readonly log: Logger,
    metrics: Metrics,
  ) {
    const registers = [metrics.registry];
    this.refusals = new Counter({
      name: 'orders_admission_refusals_total',
      help: 'placeOrder calls refused because the saga could not finish its backlog within SAGA_MAX_DRAIN_SECONDS',
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
    gauge('orders_saga_backlog', 'Orders not yet PAID, REJECTED or CANCELLED', () => this.sample.backlog);
    gauge('orders_saga_oldest_ms', 'Age of the oldest of them', () => this.sample.oldestMs);
    gauge(
      'orders_saga_finished_per_second',
      'Orders the saga finished per second lately, all replicas',
      () => this.sample.finishedPerSecond ?? 0,
    );
    gauge(
      'orders_saga_capacity_per_second',
      'The most orders per second the saga finished while saturated in the last 10 minutes (0: not known)',
      () => this.sample.peakPerSecond,
    );
    gauge(
      'orders_saga_drain_seconds',
      'How long the backlog would take to finish (+Inf: nothing known to finish)',
      () => drainSeconds(this.sample),
    );
    gauge(
      'orders_saga_latency_ms',
      'placeOrder -> end state of the orders finished here in the last second, 90th percentile',
      () => this.latencyMs,
    );
    gauge(
      'orders_saga_baseline_latency_ms',
      'The lowest of those latencies in the last 5 minutes: the saga without a queue',
      () => this.latencyHistory.reduce((min, entry) => Math.min(min, entry.latencyMs), this.latencyMs),
    );
    gauge('orders_admission_limit', 'Unfinished orders beyond which placeOrder refuses (+Inf: none)', () =>
      admissionLimit(this.sample, this.options),
    );
  }

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.options.sampleMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Throws SERVICE_UNAVAILABLE when the saga could not finish one more order
   * in time; otherwise returns what to call once the order is placed (true)
   * or not (false), so that it counts until a sample sees it.
   */
  admit(): (placed: boolean) => void {
    // Without a recent sample (the database slow or away) nothing is known, so nothing is refused.
    const known = Date.now() - this.sampledAt <= STALE_SAMPLES * this.options.sampleMs;
    if (known && !admits(this.sample, this.placing + this.placedSince, this.options)) {
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
      const startedAt = Date.now();
      const busyForMs = this.busySince === undefined ? 0 : startedAt - this.busySince;
      const rateWindowMs = Math.min(RATE_WINDOW_MS, busyForMs);
      // Placed before the statement: in its count (or committing now, then counted twice: the safe side).
      const placedBefore = this.placedSince;
      // Finished within the busy time only: orders that ended before the backlog formed say nothing of its rate.
      // Ended by the saga's own steps only: a cancel is the customer's (counting cancels made a saga stalled
      // by an outage look saturated at a crawl, which refused the orders the outbox would have kept), and
      // the deadline sweep's TIMED_OUT batches would pass for a burst of capacity after a long outage.
      const row = await this.orders.sagaBacklog(rateWindowMs / 1000);
      const now = Date.now();
      const finishedPerSecond = busyForMs >= MIN_RATE_EVIDENCE_MS ? (row.finished * 1000) / rateWindowMs : undefined;
      const measured = { backlog: row.backlog, oldestMs: row.oldest_ms, finishedPerSecond, peakPerSecond: 0 };
      // Only a saturated saga's rate says what it can do; a quiet one's is only its demand.
      this.rememberRate(now, saturated(measured) ? finishedPerSecond : undefined);
      this.sample = {
        ...measured,
        peakPerSecond: this.rateHistory.reduce((max, entry) => Math.max(max, entry.perSecond), 0),
      };
      // The backlog's start is known to a sample's period; a later start only shortens the window (the safe side).
      if (row.backlog === 0) this.busySince = undefined;
      else this.busySince ??= startedAt;
      this.sampledAt = now;
      this.placedSince -= placedBefore;
      this.updateLatency(now);
    } catch (error) {
      // Not knowing the backlog refuses nothing once the last sample is stale (see admit).
      this.log.warn({ err: (error as Error).message }, 'saga backlog sample failed');
    } finally {
      this.sampling = false;
    }
  }

  private rememberRate(now: number, perSecond: number | undefined): void {
    this.rateHistory = this.rateHistory.filter((entry) => now - entry.at <= PEAK_WINDOW_MS);
    if (perSecond === undefined) return;
    const last = this.rateHistory[this.rateHistory.length - 1];
    if (last && now - last.at < 1_000) last.perSecond = Math.max(last.perSecond, perSecond);
    else this.rateHistory.push({ at: now, perSecond });
  }

  private updateLatency(now: number): void {
    this.finishedRecently = this.finishedRecently.filter((finished) => now - finished.at <= LATENCY_WINDOW_MS);
    const latencies = this.finishedRecently.map((finished) => finished.latencyMs).sort((a, b) => a - b);
    this.latencyMs = latencies[Math.ceil(latencies.length * 0.9) - 1] ?? 0;
    if (latencies.length > 0) this.latencyHistory.push({ at: now, latencyMs: this.latencyMs });
    this.latencyHistory = this.latencyHistory.filter((entry) => now - entry.at <= BASELINE_WINDOW_MS);
  }
}
