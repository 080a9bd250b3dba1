import type { FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayContext } from '../context';
import { clearAccountTries, SIGN_IN_REFUSED, spendAccountTries, type AccountPolicy } from './accountTries';
import { authAttempts } from './authAttempts';
import { clientKey } from './clientKey';
import { logInAccounts, type LogInAccount } from './logInAccounts';
import { budgetPoints } from './budgetPoints';
import { RateLimitedError } from './RateLimitedError';
import type { RateLimiters } from './rateLimiters';
import type { RateLimitSettings } from './rateLimitSettings';

type Limit = 'operations' | 'auth_attempts' | 'account_attempts';

/**
 * The callers' budgets, spent by every operation whatever its transport (HTTP,
 * WebSocket, SSE), before anything is planned or fetched: its cost
 * (budgetPoints.ts) per user (per client address when anonymous, an IPv6
 * client by its /64), one point per logIn/signUp field per client address,
 * and one per logIn field per account it names, from any address.
 */
export class OperationBudget {
  private readonly refusals: Counter<'limit'>;
  private readonly accounts: AccountPolicy;

  constructor(
    private readonly limiters: RateLimiters,
    settings: RateLimitSettings,
    registry: Registry,
  ) {
    this.accounts = {
      points: settings.accountPoints,
      lockoutSeconds: settings.accountLockoutSeconds,
      lockoutMaxSeconds: settings.accountLockoutMaxSeconds,
    };
    this.refusals = new Counter({
      name: 'rate_limit_refusals_total',
      help: 'Operations refused for a rate limit, by limit: operations (per user or client address), auth_attempts (logIn/signUp per client address) or account_attempts (logIn per account)',
      labelNames: ['limit'],
      registers: [registry],
    });
  }

  /**
   * Spends the operation's points or throws RateLimitedError. Returns the
   * accounts its logIns were charged to, for logInSucceeded.
   */
  async charge(
    caller: Pick<GatewayContext, 'user' | 'ip'>,
    operation: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
    variables?: Readonly<Record<string, unknown>>,
  ): Promise<LogInAccount[]> {
    const { user, ip } = caller;
    const client = clientKey(ip);
    await this.refusedAs('operations', () =>
      spendPoints(
        this.limiters.operations,
        user ? `user:${user.id}` : client,
        budgetPoints(operation, fragments),
        'Too many requests',
      ),
    );
    const attempts = authAttempts(operation, fragments);
    if (attempts === 0) return [];
    await this.refusedAs('auth_attempts', () =>
      spendPoints(this.limiters.authAttempts, client, attempts, SIGN_IN_REFUSED),
    );
    const accounts = logInAccounts(operation, fragments, variables);
    for (const account of accounts) {
      await this.refusedAs('account_attempts', () =>
        spendAccountTries(
          this.limiters.accountAttempts,
          this.limiters.accountLockouts,
          this.accounts,
          account.key,
          account.attempts,
        ),
      );
    }
    return accounts;
  }

  /** One of the account's logIns returned a token: its owner is in, its failures are forgotten. */
  async logInSucceeded(account: LogInAccount): Promise<void> {
    await clearAccountTries(this.limiters.accountAttempts, this.limiters.accountLockouts, account.key);
  }

  private async refusedAs(limit: Limit, spend: () => Promise<void>): Promise<void> {
    try {
      await spend();
    } catch (error) {
      if (error instanceof RateLimitedError) this.refusals.inc({ limit });
      throw error;
    }
  }
}

/**
 * Takes `points` from `key`'s budget or throws RateLimitedError. A refused
 * operation is not charged: a batch over the remaining budget leaves it as it
 * was. A failure of Redis never gets here: the limiter's in-memory insurance
 * answers instead (rateLimiters.ts), so there is no failing open.
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
