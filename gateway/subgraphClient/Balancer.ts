import type { SubgraphInstance } from './SubgraphInstance';

export type BalancingStrategy = 'least_outstanding' | 'round_robin';

/**
 * Picks the instance for the next call among those whose breaker lets calls
 * through, preferring ones not `tried` yet (a retry goes to another replica
 * when there is one). Least outstanding sends the call where the fewest are
 * in flight, round robin in turn; both rotate among equals. An instance at
 * its in-flight limit is passed over too. None left: the call fails fast
 * (the subgraph is out, or overloaded).
 */
export class Balancer {
  private turn = 0;

  constructor(private readonly strategy: BalancingStrategy) {}

  pick(instances: readonly SubgraphInstance[], tried: ReadonlySet<SubgraphInstance>): SubgraphInstance | undefined {
    const now = Date.now();
    const open = instances.filter((instance) => instance.acceptsCalls(now) && instance.hasRoom);
    const fresh = open.filter((instance) => !tried.has(instance));
    const candidates = fresh.length > 0 ? fresh : open;
    if (candidates.length === 0) return undefined;
    const start = this.turn++ % candidates.length;
    if (this.strategy === 'round_robin') return candidates[start];
    let best = candidates[start];
    for (let offset = 1; offset < candidates.length; offset++) {
      const candidate = candidates[(start + offset) % candidates.length];
      if (candidate.outstanding < best.outstanding) best = candidate;
    }
    return best;
  }
}
