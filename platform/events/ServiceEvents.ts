import type { DataSource } from 'typeorm';
import type { SubgraphConfig } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { EventBus } from './EventBus';
import { EventConsumer, type ConsumerSpec } from './EventConsumer';
import { createEventMetrics, type EventMetrics } from './eventMetrics';
import { EventTablePruner } from './EventTablePruner';
import { OutboxRelay } from './OutboxRelay';

export interface ServiceEventsSpec {
  /** This service writes events to its outbox; the relay publishes them to its domain's stream. */
  publishes: boolean;
}

/** A subgraph's part of the bus: its connection, its outbox relay, its consumers. */
export class ServiceEvents {
  readonly bus: EventBus;
  readonly metrics: EventMetrics;
  readonly relay?: OutboxRelay;
  private readonly pruner: EventTablePruner;
  private readonly consumers: EventConsumer[] = [];
  private readonly consumerSpecs: ConsumerSpec[] = [];

  constructor(
    private readonly spec: ServiceEventsSpec,
    private readonly config: SubgraphConfig,
    private readonly dataSource: DataSource,
    private readonly log: Logger,
    metrics: Metrics,
  ) {
    this.bus = new EventBus({
      url: config.natsUrl,
      prefix: config.eventsPrefix,
      name: config.name,
      log,
      auth: config.natsAuth,
      tls: config.natsTls,
      streamLimits: config.events.stream,
    });
    this.metrics = createEventMetrics(metrics, dataSource, this.bus, () => this.consumerSpecs);
    if (spec.publishes) {
      this.relay = new OutboxRelay(dataSource, this.bus, log, this.metrics, {
        countStatement: () => metrics.dbQueries.inc({ origin: 'background' }),
      });
    }
    this.pruner = new EventTablePruner(
      dataSource,
      { retentionMs: config.events.retentionMs, intervalMs: config.events.pruneIntervalMs },
      log,
      this.metrics.pruned,
    );
  }

  /** Consumers are built from the subgraph's services, which need the bus first. */
  addConsumers(specs: ConsumerSpec[]): void {
    for (const spec of specs) {
      this.consumerSpecs.push(spec);
      this.consumers.push(
        new EventConsumer(spec, this.dataSource, this.bus, this.log, this.metrics, {
          retry: { windowMs: this.config.orderDeadlineMs, retryLaterBaseDelayMs: this.config.events.retryLaterDelayMs },
          ackWaitMs: this.config.events.ackWaitMs,
          concurrency: this.config.events.consumerConcurrency,
          crashAfterCommit: this.config.events.crashAfterCommit === spec.name,
        }),
      );
    }
  }

  /** Whether the NATS connection is up now (a readiness check). */
  get connected(): boolean {
    return this.bus.isOnline;
  }

  async start(): Promise<void> {
    if (this.spec.publishes) {
      // The stream exists before the first publish; in the background, NATS may be away now.
      void this.bus
        .ready()
        .then(() => this.bus.ensureStream(this.config.name))
        .catch(() => undefined);
    }
    await this.relay?.start();
    for (const consumer of this.consumers) consumer.start();
    this.pruner.start();
  }

  /** Consumers first (no new effects), then a last outbox flush, then the connection. */
  async stop(): Promise<void> {
    await this.pruner.stop();
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.relay?.stop();
    await this.bus.close();
  }
}
