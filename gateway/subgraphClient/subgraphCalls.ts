import type { ServiceTokenSigner } from '../../platform/auth/serviceTokens';
import type { SubgraphName } from '../../platform/config';
import type { GatewayConfig } from '../gatewayConfig';
import { SUBGRAPH_NAMES } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import type { Registry } from 'prom-client';
import { Balancer } from './Balancer';
import { AdaptiveThrottling } from './AdaptiveThrottling';
import { SubgraphClient } from './SubgraphClient';
import { createSubgraphClientMetrics } from './subgraphClientMetrics';
import { SubgraphDataSource } from './SubgraphDataSource';
import { SubgraphInstances } from './SubgraphInstances';

export interface SubgraphCalls {
  /** The data source the gateway uses for a subgraph named in the supergraph. */
  dataSource(name: string): SubgraphDataSource;
  close(): Promise<void>;
}

/** Short: the orders service adapts its admission limit every 100 ms, and the throttle follows it. */
const THROTTLE_WINDOW_MS = 5_000;

/** One client per subgraph, over its instances, shared by every request. */
export async function startSubgraphCalls(
  config: Pick<GatewayConfig, 'instanceUrls' | 'subgraphCalls'>,
  signer: ServiceTokenSigner,
  registry: Registry,
  log: Logger,
): Promise<SubgraphCalls> {
  const settings = config.subgraphCalls;
  const metrics = createSubgraphClientMetrics(registry);
  const sources = new Map<string, SubgraphDataSource>();
  const instanceSets = new Map<SubgraphName, SubgraphInstances>();
  for (const name of SUBGRAPH_NAMES) {
    const instances = new SubgraphInstances(name, config.instanceUrls[name], settings, metrics, log);
    await instances.start();
    instanceSets.set(name, instances);
    const client = new SubgraphClient(name, instances, new Balancer(settings.balancing), settings, metrics);
    const throttling =
      settings.throttleMultiplier > 0
        ? new AdaptiveThrottling({ multiplier: settings.throttleMultiplier, windowMs: THROTTLE_WINDOW_MS })
        : undefined;
    sources.set(name, new SubgraphDataSource(client, signer, metrics, log, throttling));
  }
  return {
    dataSource(name) {
      const source = sources.get(name);
      if (!source) throw new Error(`The supergraph names a subgraph this gateway does not know: ${name}`);
      return source;
    },
    async close() {
      await Promise.all([...instanceSets.values()].map((instances) => instances.close()));
    },
  };
}
