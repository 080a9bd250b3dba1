import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import type { Balancer } from './Balancer';
import { isConnectionError, SubgraphCallFailure, toCallFailure } from './callFailure';
import type { SubgraphClientMetrics } from './subgraphClientMetrics';
import type { RawAnswer, SubgraphInstance } from './SubgraphInstance';
import type { SubgraphInstances } from './SubgraphInstances';

export interface CallSettings {
  /** The whole call's deadline, a retry included. */
  timeoutMs: number;
  retryConnectionErrors: boolean;
  /** Identical queries in flight at the same time, for the same caller, share one call. */
  deduplicate: boolean;
}

/**
 * Sends one GraphQL request to a subgraph: picks an instance, bounds the call
 * by the deadline, and, for a query only, sends it once more after a short
 * jittered pause to another instance when the first could not be reached.
 * A mutation is never sent twice: the first instance may have applied it.
 *
 * A query identical to one already in flight, with the same token (so for
 * the same user), waits for that call's answer instead of making its own;
 * each caller then parses the answer itself, so no caller sees another's
 * objects. Nothing is kept once the call has ended: this is not a cache.
 */
export class SubgraphClient {
  private readonly retryPolicy: RetryPolicy;
  private readonly inFlight = new Map<string, Promise<RawAnswer>>();

  constructor(
    readonly subgraph: string,
    readonly instances: SubgraphInstances,
    private readonly balancer: Balancer,
    private readonly settings: CallSettings,
    private readonly metrics: SubgraphClientMetrics,
  ) {
    // Decorrelated jitter between 10 and 50 ms: replicas retrying together do not arrive together.
    this.retryPolicy = retry(handleWhen(isConnectionError), {
      maxAttempts: 1,
      backoff: new ExponentialBackoff({ initialDelay: 10, maxDelay: 50 }),
    });
    this.retryPolicy.onRetry(() => metrics.retries.inc({ subgraph }));
  }

  /** Resolves with the instance's answer (any status below 500); rejects with a SubgraphCallFailure. */
  post(body: string, headers: Record<string, string>, idempotent: boolean): Promise<RawAnswer> {
    if (!idempotent || !this.settings.deduplicate) return this.send(body, headers, idempotent);
    // The token names the caller and the user; the request id and trace headers do not change the answer.
    const key = `${headers.authorization ?? ''}\n${body}`;
    const shared = this.inFlight.get(key);
    if (shared) {
      this.metrics.deduplicated.inc({ subgraph: this.subgraph });
      return shared;
    }
    const call = this.send(body, headers, idempotent).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }

  /** Why no instance took the call: all out (breakers open) or all at their in-flight limit. */
  private noInstance(): SubgraphCallFailure {
    const now = Date.now();
    const reachable = this.instances.list.some((instance) => instance.acceptsCalls(now));
    return reachable
      ? new SubgraphCallFailure('overloaded', 'every instance is at its in-flight limit')
      : new SubgraphCallFailure('circuit_open', 'every instance has an open circuit breaker');
  }

  private async send(body: string, headers: Record<string, string>, idempotent: boolean): Promise<RawAnswer> {
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const tried = new Set<SubgraphInstance>();
    const attempt = () => {
      const instance = this.balancer.pick(this.instances.list, tried);
      if (!instance) throw this.noInstance();
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
