import { Registry } from 'prom-client';
import type { SubgraphName } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { Balancer } from '../../gateway/subgraphClient/Balancer';
import { SubgraphClient } from '../../gateway/subgraphClient/SubgraphClient';
import { createSubgraphClientMetrics } from '../../gateway/subgraphClient/subgraphClientMetrics';
import { SubgraphInstances } from '../../gateway/subgraphClient/SubgraphInstances';

/** Tests only: settings small enough to see breakers, limits and timeouts act within a test. */
export const TEST_CLIENT_SETTINGS = {
  maxConnections: 4,
  maxInFlight: 0,
  breakerFailures: 100,
  breakerHalfOpenAfterMs: 1_000,
  dnsRefreshMs: 0,
  timeoutMs: 300,
  retryConnectionErrors: true,
  deduplicate: false,
};

export const testLog = createLogger('test', 'silent');

/** Tests only: a real client over real instances at `urls`, round robin, with its own metrics registry. */
export async function testSubgraphClient(
  subgraph: SubgraphName,
  urls: string[],
  overrides: Partial<typeof TEST_CLIENT_SETTINGS> = {},
) {
  const settings = { ...TEST_CLIENT_SETTINGS, ...overrides };
  const registry = new Registry();
  const metrics = createSubgraphClientMetrics(registry);
  const instances = new SubgraphInstances(subgraph, urls, settings, metrics, testLog);
  await instances.start();
  const client = new SubgraphClient(subgraph, instances, new Balancer('round_robin'), settings, metrics);
  return { client, instances, metrics, registry };
}
