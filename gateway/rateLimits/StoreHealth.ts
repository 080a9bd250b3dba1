import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../platform/logger';

/** While the store is down, how often it is asked whether it answers again (it may be connected yet stuck). */
const PROBE_EVERY_MS = 1_000;

/**
 * Whether the budgets' shared store (Redis) answers. While it does not, each
 * replica's in-memory budget answers instead (rateLimiters.ts): the limits
 * hold per replica rather than across them, and that is what operators must
 * know. So the outage is told once (one warn when it starts, one info when
 * Redis answers again), never per request, and always in metrics:
 * `rate_limit_store_available` and `rate_limit_store_fallbacks_total`.
 */
export class StoreHealth {
  private state: 'starting' | 'up' | 'down' = 'starting';
  private probe?: NodeJS.Timeout;
  private closed = false;
  private readonly available: Gauge;
  private readonly fallbacks: Counter;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    registry: Registry,
  ) {
    this.available = new Gauge({
      name: 'rate_limit_store_available',
      help: 'Whether Redis answers the budget checks (1), or each gateway replica limits alone, in memory (0)',
      registers: [registry],
    });
    this.fallbacks = new Counter({
      name: 'rate_limit_store_fallbacks_total',
      help: "Budget checks Redis could not answer, answered by this replica's in-memory budget instead",
      registers: [registry],
    });
    redis.on('ready', () => this.up());
    redis.on('close', () => this.down());
    // ioredis retries for ever and reports each failed try: the outage is logged once, by down().
    redis.on('error', (error: Error) => log.debug({ err: error }, 'rate limit store (Redis) error'));
  }

  /** A budget check the in-memory budget answered, the store having failed it. */
  fellBack(): void {
    this.fallbacks.inc();
    this.down();
  }

  /** Redis did not connect at start: say so once, as for an outage later. */
  notReadyAtStart(): void {
    if (this.state === 'starting') this.down();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.probe);
  }

  private down(): void {
    if (this.closed || this.state === 'down') return;
    this.state = 'down';
    this.available.set(0);
    this.log.warn(
      'rate limit store (Redis) unavailable: each gateway replica limits alone, in memory, until Redis answers again',
    );
    this.probe = setInterval(() => {
      // Without the offline queue a ping fails at once while disconnected; 'ready' reports the reconnect.
      if (this.redis.status === 'ready')
        this.redis.ping().then(
          () => this.up(),
          () => undefined,
        );
    }, PROBE_EVERY_MS);
    this.probe.unref();
  }

  private up(): void {
    if (this.closed || this.state === 'up') return;
    const wasDown = this.state === 'down';
    this.state = 'up';
    this.available.set(1);
    clearInterval(this.probe);
    if (wasDown) this.log.info('rate limit store (Redis) available again: the budgets are shared across replicas');
  }
}
