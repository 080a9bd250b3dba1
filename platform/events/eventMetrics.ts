import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Metrics } from '../metrics';
import { withTimeout } from '../withTimeout';
import type { EventBus } from './EventBus';
import { deadLetterStream, streamOf } from './naming';
import { COUNT_PENDING_SQL, OLDEST_PENDING_AGE_SQL } from './outbox';

export interface EventMetrics {
  published: Counter;
  /** 1 while this replica's outbox relay holds the lock and publishes; 0 while another one does. */
  relayPublishing: Gauge;
  pruned: Counter<'table'>;
  publishFailures: Counter;
  consumed: Counter<'consumer' | 'type' | 'outcome'>;
  deadLettered: Counter<'consumer' | 'type'>;
}

/** A durable consumer of this service, for the gauges read from JetStream. */
export interface ConsumerRef {
  name: string;
  domain: string;
}

/** A scrape waits this long for the database or JetStream, then reports the last value it had. */
const COLLECT_TIMEOUT_MS = 1_000;

/** The event metrics of a service that has an outbox (and maybe consumers). */
export function createEventMetrics(
  metrics: Metrics,
  dataSource: DataSource,
  bus: EventBus,
  consumers: () => ConsumerRef[] = () => [],
): EventMetrics {
  const registers = [metrics.registry];
  new Gauge({
    name: 'nats_connected',
    help: '1 while the service is connected to NATS',
    registers,
    collect() {
      this.set(bus.isOnline ? 1 : 0);
    },
  });
  const outboxQuery = (sql: string) =>
    withTimeout(dataSource.query(sql) as Promise<{ value: number | null }[]>, COLLECT_TIMEOUT_MS, 'outbox query');
  new Gauge({
    name: 'outbox_pending',
    help: 'Outbox events not yet published to NATS',
    registers,
    async collect() {
      // Without the database the last value stays: /metrics still answers.
      const rows = await outboxQuery(COUNT_PENDING_SQL).catch(() => undefined);
      if (rows) this.set(rows[0].value ?? 0);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox event not yet published to NATS (0 when none waits)',
    registers,
    async collect() {
      const rows = await outboxQuery(OLDEST_PENDING_AGE_SQL).catch(() => undefined);
      if (rows) this.set(Number(rows[0].value ?? 0));
    },
  });
  const consumerGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['consumer'], registers });
  const pending = consumerGauge(
    'events_consumer_pending_messages',
    'Messages on the stream a durable consumer has not been delivered yet (JetStream num_pending)',
  );
  const ackPending = consumerGauge(
    'events_consumer_ack_pending_messages',
    'Messages delivered to a durable consumer and not acknowledged yet (JetStream num_ack_pending)',
  );
  const redelivered = consumerGauge(
    'events_consumer_redelivered_messages',
    'Unacknowledged messages of a durable consumer that were delivered more than once (JetStream num_redelivered)',
  );
  // One JetStream round trip per consumer and scrape fills all three gauges.
  new Gauge({
    name: 'events_consumer_info_up',
    help: "1 when the last scrape could read every consumer's state from JetStream",
    registers,
    async collect() {
      if (!bus.isOnline) return this.set(0);
      try {
        const jsm = await withTimeout(bus.manager(), COLLECT_TIMEOUT_MS, 'JetStream manager');
        await Promise.all(
          consumers().map(async ({ name, domain }) => {
            const info = await withTimeout(
              jsm.consumers.info(streamOf(bus.prefix, domain), name),
              COLLECT_TIMEOUT_MS,
              'consumer info',
            );
            pending.set({ consumer: name }, info.num_pending);
            ackPending.set({ consumer: name }, info.num_ack_pending);
            redelivered.set({ consumer: name }, info.num_redelivered);
          }),
        );
        this.set(1);
      } catch {
        this.set(0);
      }
    },
  });
  new Gauge({
    name: 'events_dead_letters',
    help: "Messages in the namespace's dead-letter stream, waiting for an operator (npm run events -- dead-letters)",
    registers,
    async collect() {
      // Like the consumer gauges: while JetStream cannot be read the scrape still answers and the
      // last value stays (0 before the first read; a dead letter does not go away because NATS
      // did), and nats_connected / events_consumer_info_up show why. Every service reports the same
      // stream, so the alert takes the max over them.
      if (!bus.isOnline) return;
      try {
        const jsm = await withTimeout(bus.manager(), COLLECT_TIMEOUT_MS, 'JetStream manager');
        const info = await withTimeout(
          jsm.streams.info(deadLetterStream(bus.prefix)),
          COLLECT_TIMEOUT_MS,
          'stream info',
        );
        this.set(info.state.messages);
      } catch (error) {
        // No stream yet: nothing was ever dead-lettered.
        if (/stream not found/i.test((error as Error).message)) this.set(0);
      }
    },
  });
  return {
    published: new Counter({ name: 'events_published_total', help: 'Outbox events published to NATS', registers }),
    relayPublishing: new Gauge({
      name: 'outbox_relay_publishing',
      help: "1 while this replica's outbox relay is the one publishing (it holds the relay lock)",
      registers,
    }),
    pruned: new Counter({
      name: 'events_pruned_rows_total',
      help: 'Rows deleted from the outbox and processed_events past their retention',
      labelNames: ['table'],
      registers,
    }),
    publishFailures: new Counter({
      name: 'events_publish_failures_total',
      help: 'Failed attempts to publish outbox events (retried)',
      registers,
    }),
    consumed: new Counter({
      name: 'events_consumed_total',
      help: 'Events handled by a consumer, by outcome: done, duplicate, skipped, retried (redelivered later), dead_lettered',
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
