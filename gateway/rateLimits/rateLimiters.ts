import { once } from 'node:events';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitSettings } from './rateLimitSettings';
import type { Logger } from '../../platform/logger';

/** How long the gateway waits for Redis at start before serving anyway (failing open meanwhile). */
const REDIS_CONNECT_WAIT_MS = 2_000;
/** A Redis call slower than this fails, and the request is let through (see rateLimitPlugin.ts). */
const REDIS_COMMAND_TIMEOUT_MS = 500;

export interface RateLimiters {
  /** One point per operation, keyed per user (or per IP when anonymous). */
  operations: RateLimiterAbstract;
  /** One point per logIn/signUp field, keyed per IP. */
  authAttempts: RateLimiterAbstract;
  close(): Promise<void>;
}

/**
 * In memory by default (one budget per gateway process); in Redis when
 * REDIS_URL is set, so every gateway replica spends the same budget.
 */
export async function createRateLimiters(settings: RateLimitSettings, log: Logger): Promise<RateLimiters> {
  const budgets = {
    operations: { points: settings.points, duration: settings.windowSeconds, keyPrefix: `${settings.keyPrefix}:ops` },
    authAttempts: {
      points: settings.authPoints,
      duration: settings.authWindowSeconds,
      keyPrefix: `${settings.keyPrefix}:auth`,
    },
  };
  if (!settings.redisUrl) {
    return {
      operations: new RateLimiterMemory(budgets.operations),
      authAttempts: new RateLimiterMemory(budgets.authAttempts),
      close: async () => undefined,
    };
  }

  const redis = new Redis(settings.redisUrl, {
    // Fail fast rather than queue: a request must not wait for Redis to come back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  // Without a listener an 'error' event would crash the process; ioredis keeps reconnecting.
  redis.on('error', (error: Error) => log.warn({ err: error }, 'rate limit store (Redis) error'));
  await Promise.race([
    once(redis, 'ready'),
    new Promise((resolve) => setTimeout(resolve, REDIS_CONNECT_WAIT_MS).unref()),
  ]).catch(() => undefined);
  if (redis.status !== 'ready') log.warn('rate limit store (Redis) not ready: requests pass unlimited until it is');
  return {
    operations: new RateLimiterRedis({ storeClient: redis, ...budgets.operations }),
    authAttempts: new RateLimiterRedis({ storeClient: redis, ...budgets.authAttempts }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
