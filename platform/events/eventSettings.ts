import { SUBGRAPH_NAMES } from '../serviceNames';
import { decimal, duration, integer, optionalText } from '../settings/setting';
import { ConfigError, settingsGroup } from '../settings/settingsGroup';

const HOUR_MS = 3_600_000;

export interface EventSettings {
  /**
   * ORDER_DEADLINE: how long the saga has to end an order before orders ends it
   * itself (REJECTED, TIMED_OUT); also how long a failing event is retried.
   */
  orderDeadlineMs: number;
  events: {
    ackWaitMs: number;
    /** Messages a consumer handles at once; those about the same order one after another. */
    consumerConcurrency: number;
    /** First redelivery delay of an event that waits for another one (RetryLaterError); it doubles. */
    retryLaterDelayMs: number;
    /** Test-only fault injection: this consumer dies after its commit, before its ack. */
    crashAfterCommit?: string;
    /** How long published outbox rows and handled-event records are kept, and how often to prune. */
    retentionMs: number;
    pruneIntervalMs: number;
    /** Limits of every stream this service creates or updates: age, size, replicas. */
    stream: { maxAgeMs: number; maxBytes: number; replicas: number };
  };
}

/** NATS JetStream, the outbox and inbox, the consumers and the saga's deadline, for every subgraph. */
export const eventSettings = settingsGroup(
  'events',
  SUBGRAPH_NAMES,
  {
    ORDER_DEADLINE: duration({
      default: '15m',
      description:
        'an order not ended by then is ended by the saga, REJECTED with `TIMED_OUT`; failing events are retried this long',
    }),
    EVENTS_ACK_WAIT_MS: integer({
      default: 30_000,
      min: 100,
      description: "JetStream's ack wait (a failing event is retried until `ORDER_DEADLINE`)",
    }),
    EVENTS_CONSUMER_CONCURRENCY: integer({
      default: 32,
      min: 1,
      max: 1_000,
      description: 'events a consumer handles at once (those about one order one after another)',
    }),
    EVENTS_RETRY_LATER_DELAY_MS: integer({
      default: 100,
      min: 1,
      max: 30_000,
      description: 'first redelivery delay of an event that waits for another one (it doubles each time)',
    }),
    EVENTS_RETENTION_HOURS: decimal({
      default: 168,
      min: 1,
      max: 24 * 365,
      description:
        'published outbox rows and handled-event records older than this are deleted (never an unpublished row)',
    }),
    EVENTS_PRUNE_INTERVAL_MS: integer({
      default: 3_600_000,
      min: 1_000,
      description: 'how often those old rows are deleted',
    }),
    EVENTS_STREAM_MAX_AGE_HOURS: decimal({
      default: 168,
      min: 1,
      max: 24 * 3650,
      description:
        "how long every stream (each domain's, the dead letters') keeps an event; at least `EVENTS_RETENTION_HOURS`; applied to existing streams at start",
    }),
    EVENTS_STREAM_MAX_BYTES: integer({
      default: 1_073_741_824,
      min: 1_048_576,
      description:
        'size bound of every stream: a full domain stream drops its oldest (long consumed) events, never stopping the saga; the dead-letter stream refuses instead (the message is retried)',
    }),
    EVENTS_STREAM_REPLICAS: integer({
      default: 1,
      min: 1,
      max: 5,
      description: 'copies of every stream: `3` on a NATS cluster (a single server refuses more than 1)',
    }),
    EVENTS_TEST_CRASH_AFTER_COMMIT: optionalText({
      description: 'tests only (`NODE_ENV=test`): the named consumer dies after its commit, before its ack',
    }),
  },
  (s, env): EventSettings => {
    // The stream must still hold what the outbox and the inbox remember, or a replay could miss events.
    if (s.EVENTS_STREAM_MAX_AGE_HOURS < s.EVENTS_RETENTION_HOURS) {
      throw new ConfigError(
        `invalid setting EVENTS_STREAM_MAX_AGE_HOURS: ${s.EVENTS_STREAM_MAX_AGE_HOURS} is below EVENTS_RETENTION_HOURS (${s.EVENTS_RETENTION_HOURS})`,
      );
    }
    return {
      orderDeadlineMs: s.ORDER_DEADLINE,
      events: {
        ackWaitMs: s.EVENTS_ACK_WAIT_MS,
        consumerConcurrency: s.EVENTS_CONSUMER_CONCURRENCY,
        retryLaterDelayMs: s.EVENTS_RETRY_LATER_DELAY_MS,
        // Never in production, whatever the environment says.
        crashAfterCommit: env.NODE_ENV === 'test' ? s.EVENTS_TEST_CRASH_AFTER_COMMIT : undefined,
        retentionMs: s.EVENTS_RETENTION_HOURS * HOUR_MS,
        pruneIntervalMs: s.EVENTS_PRUNE_INTERVAL_MS,
        stream: {
          maxAgeMs: s.EVENTS_STREAM_MAX_AGE_HOURS * HOUR_MS,
          maxBytes: s.EVENTS_STREAM_MAX_BYTES,
          replicas: s.EVENTS_STREAM_REPLICAS,
        },
      },
    };
  },
);
