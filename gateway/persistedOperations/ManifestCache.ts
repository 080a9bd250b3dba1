import type { PersistedQueryOptions } from '@apollo/server';
import type { PersistedOperations } from './manifest';

type KeyValueCache = NonNullable<PersistedQueryOptions['cache']>;

/**
 * Apollo's APQ cache, answered from the manifest: a client may send just the
 * hash of a listed operation to any replica, from the first request on.
 * Writes are dropped, so no client can register an operation of its own.
 */
export class ManifestCache implements KeyValueCache {
  constructor(private readonly operations: PersistedOperations) {}

  async get(key: string): Promise<string | undefined> {
    // Apollo prefixes its keys ('apq:<sha256>') to share one cache between features;
    // this cache holds nothing else, so the hash is what follows the last ':'.
    return this.operations.get(key.slice(key.lastIndexOf(':') + 1));
  }

  async set(_key: string, _value: string): Promise<void> {}

  async delete(): Promise<boolean> {
    return false;
  }
}
