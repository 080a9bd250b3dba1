import { once } from 'node:events';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../../platform/logger';
import type { RateLimitSettings } from './rateLimitSettings';
import { StoreHealth } from './StoreHealth';

/** How long the gateway waits for Redis at start before serving anyway (limiting in memory meanwhile). */
const REDIS_CONNECT_WAIT_MS = 2_000;
/** A Redis call slower than this fails, and the replica's in-memory budget answers it. */
const REDIS_COMMAND_TIMEOUT_MS = 500;
/** How long an account's lockouts are remembered, each doubling the next (see accountTries.ts). */
const LOCKOUT_MEMORY_SECONDS = 86_400;

export interface RateLimiters {
  /** Points per operation (budgetPoints.ts), keyed per user (or per client address when anonymous). */
  operations: RateLimiterAbstract;
  /** One point per logIn/signUp field, keyed per client address. */
  authAttempts: RateLimiterAbstract;
  /** One point per logIn field, keyed per account (logInAccounts.ts), whatever the address. */
  accountAttempts: RateLimiterAbstract;
  /** One point per lockout of an account, within a day: how long its next lockout is. */
  accountLockouts: RateLimiterAbstract;
  close(): Promise<void>;
}

type Budgets = Record<Exclude<keyof RateLimiters, 'close'>, { points: number; duration: number; keyPrefix: string }>;

/** The in-memory budget that answers for Redis while it cannot, counted each time it does. */
class FallbackBudget extends RateLimiterMemory {
  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly health: StoreHealth,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.health.fellBack();
    return super.consume(key, points, options);
  }
}

/**
 * In memory by default (one budget per gateway process); in Redis when
 * REDIS_URL is set, so every gateway replica spends the same budget. While
 * Redis cannot answer (down, unreachable, slower than the command timeout)
 * each limiter's `insuranceLimiter`, an in-memory budget of the same size,
 * answers instead: the limits then hold per replica, never not at all.
 */
export async function createRateLimiters(
  settings: RateLimitSettings,
  log: Logger,
  registry: Registry,
): Promise<RateLimiters> {
  const budgets: Budgets = {
    operations: { points: settings.points, duration: settings.windowSeconds, keyPrefix: `${settings.keyPrefix}:ops` },
    authAttempts: {
      points: settings.authPoints,
      duration: settings.authWindowSeconds,
      keyPrefix: `${settings.keyPrefix}:auth`,
    },
    accountAttempts: {
      points: settings.accountPoints,
      duration: settings.accountWindowSeconds,
      keyPrefix: `${settings.keyPrefix}:account`,
    },
    accountLockouts: {
      // Never refuses: only its count is read.
      points: 1_000_000_000,
      duration: LOCKOUT_MEMORY_SECONDS,
      keyPrefix: `${settings.keyPrefix}:lockouts`,
    },
  };
  if (!settings.redisUrl) {
    return {
      operations: new RateLimiterMemory(budgets.operations),
      authAttempts: new RateLimiterMemory(budgets.authAttempts),
      accountAttempts: new RateLimiterMemory(budgets.accountAttempts),
      accountLockouts: new RateLimiterMemory(budgets.accountLockouts),
      close: async () => undefined,
    };
  }

  const redis = new Redis(settings.redisUrl, {
    // Fail fast rather than queue: a request must not wait for Redis to come back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  const health = new StoreHealth(redis, log, registry);
  await Promise.race([
    once(redis, 'ready'),
    new Promise((resolve) => setTimeout(resolve, REDIS_CONNECT_WAIT_MS).unref()),
  ]).catch(() => undefined);
  if (redis.status !== 'ready') health.notReadyAtStart();
  const limiter = (budget: Budgets[keyof Budgets]) =>
    new RateLimiterRedis({
      storeClient: redis,
      ...budget,
      // Straight to the insurance while disconnected, rather than a failed command first.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new FallbackBudget(budget, health),
    });
  return {
    operations: limiter(budgets.operations),
    authAttempts: limiter(budgets.authAttempts),
    accountAttempts: limiter(budgets.accountAttempts),
    accountLockouts: limiter(budgets.accountLockouts),
    async close() {
      health.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
