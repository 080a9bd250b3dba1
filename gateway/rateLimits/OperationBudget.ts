import { HeaderMap } from '@apollo/server';
import type { FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { GatewayContext } from '../context';
import { authAttempts } from './authAttempts';
import type { RateLimiters } from './rateLimiters';

/** An operation over a rate limit: HTTP 429 with `Retry-After`, and the wait in the extensions. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message, {
      retryAfterSeconds,
      // Apollo takes `http` off the extensions and applies it to the response.
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    });
  }
}

/**
 * The callers' budgets, spent by every operation whatever its transport (HTTP,
 * WebSocket, SSE): one point per operation per user (per IP when anonymous),
 * and one point per logIn/signUp field per IP.
 */
export class OperationBudget {
  private readonly refusals: Counter;
  private readonly storeFailures: Counter;

  constructor(
    private readonly limiters: RateLimiters,
    private readonly log: Logger,
    registry: Registry,
  ) {
    this.refusals = new Counter({
      name: 'rate_limit_refusals_total',
      help: 'Operations refused for a rate limit, by limit: operations (per user or IP) or auth_attempts (logIn/signUp per IP)',
      labelNames: ['limit'],
      registers: [registry],
    });
    this.storeFailures = new Counter({
      name: 'rate_limit_store_failures_total',
      help: 'Budget checks the store (Redis) could not answer; the operation was let through',
      registers: [registry],
    });
  }

  /** Spends the operation's points or throws RateLimitedError. */
  async charge(
    caller: Pick<GatewayContext, 'user' | 'ip'>,
    operation: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
  ): Promise<void> {
    const { user, ip } = caller;
    await this.spend('operations', user ? `user:${user.id}` : `ip:${ip}`, 1, 'Too many requests');
    const attempts = authAttempts(operation, fragments);
    if (attempts > 0) await this.spend('authAttempts', `ip:${ip}`, attempts, 'Too many sign-in attempts');
  }

  private async spend(limit: keyof Omit<RateLimiters, 'close'>, key: string, points: number, message: string) {
    try {
      await spendPoints(this.limiters[limit], key, points, message);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        this.refusals.inc({ limit: limit === 'operations' ? 'operations' : 'auth_attempts' });
        throw error;
      }
      // The store (Redis) failed. Fail open: refusing every request while Redis
      // is down would turn a rate-limit outage into a full outage; the budget
      // is a protection, not a correctness requirement.
      this.storeFailures.inc();
      this.log.warn({ err: error }, 'rate limit store unavailable: request let through');
    }
  }
}

/**
 * Takes `points` from `key`'s budget or throws RateLimitedError; a store
 * failure is thrown as is. A refused operation is not charged: a batch over
 * the remaining budget leaves it as it was.
 */
async function spendPoints(limiter: RateLimiterAbstract, key: string, points: number, message: string): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    await limiter.reward(key, points).catch(() => undefined);
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new RateLimitedError(`${message}, retry in ${retryAfterSeconds} s`, retryAfterSeconds);
  }
}
