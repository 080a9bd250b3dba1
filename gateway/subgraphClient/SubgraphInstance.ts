import { CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import { Pool } from 'undici';
import { isInstanceFailure, SubgraphCallFailure } from './callFailure';
import type { SubgraphClientMetrics } from './subgraphClientMetrics';

export interface InstanceSettings {
  maxConnections: number;
  /** > 0: calls in flight per instance beyond which a call is refused at once instead of queued. */
  maxInFlight: number;
  breakerFailures: number;
  breakerHalfOpenAfterMs: number;
}

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
}

/**
 * One process serving a subgraph: a keep-alive connection pool to it, the
 * calls in flight (for least-outstanding balancing) and its own circuit
 * breaker, so one dead replica is skipped while its siblings keep serving.
 */
export class SubgraphInstance {
  outstanding = 0;
  private readonly pool: Pool;
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    readonly subgraph: string,
    /** scheme://host:port */
    readonly origin: string,
    private readonly path: string,
    private readonly settings: InstanceSettings,
    metrics: SubgraphClientMetrics,
  ) {
    this.pool = new Pool(origin, { connections: settings.maxConnections });
    this.breaker = circuitBreaker(handleWhen(isInstanceFailure), {
      halfOpenAfter: settings.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    });
    const labels = { subgraph, instance: origin };
    metrics.breakerState.set(labels, 0);
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
      metrics.breakerState.set(labels, BREAKER_STATE_VALUE[state]);
      if (state === CircuitState.Open) metrics.breakerOpened.inc({ subgraph });
    });
  }

  /**
   * Whether the balancer may send this instance a call: its breaker is
   * closed, or has been open long enough that the next call is its probe.
   * While the probe is out (half-open), other calls go elsewhere.
   */
  acceptsCalls(now: number): boolean {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return true;
      case CircuitState.Open:
        return now - this.openedAt >= this.settings.breakerHalfOpenAfterMs;
      default:
        return false;
    }
  }

  /** Whether another call fits under the in-flight limit (none by default: calls queue up to their deadline). */
  get hasRoom(): boolean {
    return this.settings.maxInFlight === 0 || this.outstanding < this.settings.maxInFlight;
  }

  /** POSTs a body; resolves with any answer below 500, rejects (and counts against the breaker) otherwise. */
  async post(body: string, headers: Record<string, string>, signal: AbortSignal): Promise<RawAnswer> {
    // Counted from the pick on, so calls picked in the same tick see each other.
    this.outstanding += 1;
    try {
      return await this.breaker.execute(async () => {
        const response = await this.pool.request({ path: this.path, method: 'POST', headers, body, signal });
        const text = await response.body.text();
        if (response.statusCode >= 500) {
          throw new SubgraphCallFailure('bad_status', `HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
        }
        const contentType = response.headers['content-type'];
        return { status: response.statusCode, contentType: String(contentType ?? ''), text };
      });
    } finally {
      this.outstanding -= 1;
    }
  }

  /** Identity across DNS refreshes. */
  get key(): string {
    return `${this.origin}${this.path}`;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

const BREAKER_STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.Open]: 1,
  [CircuitState.HalfOpen]: 2,
  [CircuitState.Isolated]: 1,
};
