import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a SQL statement is run for: answering a request, or background work
 * (event consumers, the outbox relay). db_queries_total counts them apart, so
 * a request's cost can be read off without the background noise.
 */
export type QueryOrigin = 'request' | 'background';

const origin = new AsyncLocalStorage<QueryOrigin>();

export function runAsRequest<T>(work: () => T): T {
  return origin.run('request', work);
}

export function currentQueryOrigin(): QueryOrigin {
  return origin.getStore() ?? 'background';
}
