import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { Kind, type FragmentDefinitionNode } from 'graphql';
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
 * Refuses an operation over its caller's budget: one point per operation per
 * user (per IP when anonymous), and one point per logIn/signUp field per IP.
 * It runs at didResolveOperation, before the gateway plans or fetches anything.
 */
export function rateLimitPlugin(
  limiters: RateLimiters,
  log: Logger,
  registry: Registry,
): ApolloServerPlugin<GatewayContext> {
  const refusals = new Counter({
    name: 'rate_limit_refusals_total',
    help: 'Operations refused for a rate limit, by limit: operations (per user or IP) or auth_attempts (logIn/signUp per IP)',
    labelNames: ['limit'],
    registers: [registry],
  });
  const storeFailures = new Counter({
    name: 'rate_limit_store_failures_total',
    help: 'Budget checks the store (Redis) could not answer; the operation was let through',
    registers: [registry],
  });
  const spend = async (limit: keyof Omit<RateLimiters, 'close'>, key: string, points: number, message: string) => {
    try {
      await spendPoints(limiters[limit], key, points, message);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        refusals.inc({ limit: limit === 'operations' ? 'operations' : 'auth_attempts' });
        throw error;
      }
      // The store (Redis) failed. Fail open: refusing every request while Redis
      // is down would turn a rate-limit outage into a full outage; the budget
      // is a protection, not a correctness requirement.
      storeFailures.inc();
      log.warn({ err: error }, 'rate limit store unavailable: request let through');
    }
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          if (!operation) return;
          const { user, ip } = contextValue;
          const caller = user ? `user:${user.id}` : `ip:${ip}`;
          await spend('operations', caller, 1, 'Too many requests');

          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          const attempts = authAttempts(operation, fragments);
          if (attempts > 0) await spend('authAttempts', `ip:${ip}`, attempts, 'Too many sign-in attempts');
        },
      };
    },
  };
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
