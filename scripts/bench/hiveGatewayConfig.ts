import { defineConfig } from '@graphql-hive/gateway';
import { baselineTokens } from './baselineIdentity';

/**
 * Hive Gateway's configuration for the benchmark (`hive-gateway supergraph
 * <file> -c dist/scripts/bench/hiveGatewayConfig.js`): its defaults, plus the
 * service token our subgraphs require on every call (see baselineIdentity.ts).
 */
const tokens = baselineTokens(process.env);

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: async ({ subgraphName }) => ({
      authorization: `Bearer ${await (await tokens)(subgraphName)}`,
    }),
  },
});
