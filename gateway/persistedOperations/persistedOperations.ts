import type { ApolloServerPlugin, PersistedQueryOptions } from '@apollo/server';
import type { PersistedOperationSettings } from './persistedOperationSettings';
import { loadPersistedOperations, type PersistedOperations } from './manifest';
import { ManifestCache } from './ManifestCache';
import { persistedOnlyPlugin } from './persistedOnlyPlugin';

export interface PersistedOperationsSetup {
  /** Apollo's `persistedQueries`: undefined = its default, an in-memory APQ cache any client can register in. */
  persistedQueries?: PersistedQueryOptions;
  plugins: ApolloServerPlugin[];
  /** With PERSISTED_ONLY, the operations that may run: subscriptions are checked against it too. */
  safelist?: PersistedOperations;
}

/**
 * Open by default: any operation, and APQ so clients can send a hash instead
 * of the text. With PERSISTED_ONLY: the manifest is both the APQ cache and a
 * safelist, so only the client's own operations run, by text or by hash.
 */
export async function persistedOperations(config: PersistedOperationSettings): Promise<PersistedOperationsSetup> {
  if (!config.only) return { plugins: [] };
  const operations = await loadPersistedOperations(config.manifestPath);
  return {
    persistedQueries: { cache: new ManifestCache(operations) },
    plugins: [persistedOnlyPlugin(operations)],
    safelist: operations,
  };
}
