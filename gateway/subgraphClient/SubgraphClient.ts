import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import type { Balancer } from './balancer';
import { isConnectionError, SubgraphCallFailure, toCallFailure } from './callFailure';
import type { SubgraphClientMetrics } from './subgraphClientMetrics';
import type { RawAnswer, SubgraphInstance } from './SubgraphInstance';
import type { SubgraphInstances } from './SubgraphInstances';

export interface CallSettings {
  /** The whole call's deadline, a retry included. */
  timeoutMs: number;
  retryConnectionErrors: boolean;
}

/**
 * Sends one GraphQL request to a subgraph: picks an instance, bounds the call
 * by the deadline, and, for a query only, sends it once more after a short
 * jittered pause to another instance when the first could not be reached.
 * A mutation is never sent twice: the first instance may have applied it.
 */
export class SubgraphClient {
  private readonly retryPolicy: RetryPolicy;

  constructor(
    readonly subgraph: string,
    readonly instances: SubgraphInstances,
    private readonly balancer: Balancer,
    private readonly settings: CallSettings,
    metrics: SubgraphClientMetrics,
  ) {
    // Decorrelated jitter between 10 and 50 ms: replicas retrying together do not arrive together.
    this.retryPolicy = retry(handleWhen(isConnectionError), {
      maxAttempts: 1,
      backoff: new ExponentialBackoff({ initialDelay: 10, maxDelay: 50 }),
    });
    this.retryPolicy.onRetry(() => metrics.retries.inc({ subgraph }));
  }

  /** Resolves with the instance's answer (any status below 500); rejects with a SubgraphCallFailure. */
  async post(body: string, headers: Record<string, string>, idempotent: boolean): Promise<RawAnswer> {
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const tried = new Set<SubgraphInstance>();
    const attempt = () => {
      const instance = this.balancer.pick(this.instances.list, tried);
      if (!instance) throw new SubgraphCallFailure('circuit_open', 'every instance has an open circuit breaker');
      tried.add(instance);
      return instance.post(body, headers, deadline);
    };
    try {
      if (!idempotent || !this.settings.retryConnectionErrors) return await attempt();
      return await this.retryPolicy.execute(attempt, deadline);
    } catch (error) {
      throw toCallFailure(error);
    }
  }
}
