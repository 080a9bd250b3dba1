import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { Kind, type FragmentDefinitionNode } from 'graphql';
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
export function rateLimitPlugin(limiters: RateLimiters, log: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          if (!operation) return;
          const { user, ip } = contextValue;
          const caller = user ? `user:${user.id}` : `ip:${ip}`;
          await spend(limiters.operations, caller, 1, 'Too many requests', log);

          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          const attempts = authAttempts(operation, fragments);
          if (attempts > 0) await spend(limiters.authAttempts, `ip:${ip}`, attempts, 'Too many sign-in attempts', log);
        },
      };
    },
  };
}

/**
 * Takes `points` from `key`'s budget or throws RateLimitedError. A refused
 * operation is not charged: a batch over the remaining budget leaves it as it was.
 */
async function spend(
  limiter: RateLimiterAbstract,
  key: string,
  points: number,
  message: string,
  log: Logger,
): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) {
      // The store (Redis) failed. Fail open: refusing every request while Redis
      // is down would turn a rate-limit outage into a full outage; the budget
      // is a protection, not a correctness requirement.
      log.warn({ err: rejection }, 'rate limit store unavailable: request let through');
      return;
    }
    await limiter.reward(key, points).catch(() => undefined);
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new RateLimitedError(`${message}, retry in ${retryAfterSeconds} s`, retryAfterSeconds);
  }
}
