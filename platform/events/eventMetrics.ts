import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Metrics } from '../metrics';
import type { EventBus } from './eventBus';

export interface EventMetrics {
  published: Counter;
  publishFailures: Counter;
  consumed: Counter<'consumer' | 'type' | 'outcome'>;
  deadLettered: Counter<'consumer' | 'type'>;
}

/** The event metrics of a service that has an outbox (and maybe consumers). */
export function createEventMetrics(metrics: Metrics, dataSource: DataSource, bus: EventBus): EventMetrics {
  const registers = [metrics.registry];
  new Gauge({
    name: 'nats_connected',
    help: '1 while the service is connected to NATS',
    registers,
    collect() {
      this.set(bus.isConnected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'outbox_pending',
    help: 'Outbox events not yet published to NATS',
    registers,
    async collect() {
      const [{ count }] = (await dataSource.query(
        'SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL',
      )) as { count: number }[];
      this.set(count);
    },
  });
  return {
    published: new Counter({ name: 'events_published_total', help: 'Outbox events published to NATS', registers }),
    publishFailures: new Counter({
      name: 'events_publish_failures_total',
      help: 'Failed attempts to publish outbox events (retried)',
      registers,
    }),
    consumed: new Counter({
      name: 'events_consumed_total',
      help: 'Events handled by a consumer, by outcome: done, duplicate, skipped, retried, dead_lettered',
      labelNames: ['consumer', 'type', 'outcome'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'events_dead_lettered_total',
      help: 'Events moved to the dead-letter stream after they could not be handled',
      labelNames: ['consumer', 'type'],
      registers,
    }),
  };
}
