import type { UserTokenIssuer } from '../../platform/auth/userTokens';
import { ConfigError } from '../../platform/config';
import { BadUserInputError, UnauthenticatedError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { UserQueries } from './db/UserQueries';
import type { UserRepository } from './db/UserRepository';
import type { UserRow } from './db/UserRow';
import { type NewAccount, PASSWORD_MAX_LENGTH, normaliseEmail, parseNewAccount } from './domain/accountRules';
import { hashOfNoOne, hashPassword, isBelowCost, verifyPassword } from './domain/passwords';

export interface Session {
  token: string;
  expiresAt: Date;
  user: UserRow;
}

export interface AdminAccount {
  email: string;
  password: string;
}

/** One message for every refused log-in, so the answer never tells which emails have an account. */
const WRONG_CREDENTIALS = 'Wrong email or password';

/** Sign-up, log-in and the seeded ADMIN. Passwords and their hashes are never logged. */
export class AccountService {
  constructor(
    private readonly queries: UserQueries,
    private readonly users: UserRepository,
    private readonly tokens: UserTokenIssuer,
    /** The process's logger, for start-up work; requests pass their own. */
    private readonly log: Logger,
  ) {}

  async signUp(input: NewAccount, log: Logger): Promise<Session> {
    const account = parseNewAccount(input);
    const user = await this.users.create({
      email: account.email,
      name: account.name,
      role: 'CUSTOMER',
      passwordHash: await hashPassword(account.password),
    });
    log.info({ userId: user.id }, 'user signed up');
    return this.session(user);
  }

  async logIn(email: string, password: string, log: Logger): Promise<Session> {
    // No account has a longer password; refusing it early keeps scrypt's input bounded.
    if (password.length > PASSWORD_MAX_LENGTH) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    const credentials = await this.queries.findCredentials(normaliseEmail(email));
    // The scrypt work is done for unknown emails too, so the timing tells nothing either.
    const matches = await verifyPassword(password, credentials?.passwordHash ?? (await hashOfNoOne()));
    if (!credentials || !matches || !credentials.user.active) {
      log.info({ userId: credentials?.user.id }, 'log-in refused');
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }
    await this.rehashIfWeak(credentials.user.id, credentials.passwordHash, password, log);
    log.info({ userId: credentials.user.id }, 'user logged in');
    return this.session(credentials.user);
  }

  /**
   * A hash made with parameters older than today's is replaced, now that the password is known to be
   * right (it is never stored). Best effort: the log-in succeeds whether or not the new hash is
   * stored, and the next one tries again.
   */
  private async rehashIfWeak(userId: string, stored: string, password: string, log: Logger): Promise<void> {
    if (!isBelowCost(stored)) return;
    try {
      await this.users.replacePasswordHash(userId, stored, await hashPassword(password));
      log.info({ userId }, 'password rehashed with the current parameters');
    } catch (error) {
      log.warn({ userId, err: (error as Error).message }, 'storing the rehashed password failed; the log-in goes on');
    }
  }

  /**
   * Creates the configured ADMIN unless its email already has an account; an
   * existing account keeps its password and role (promoting a self-registered
   * account to ADMIN would hand the shop to whoever signed up first).
   */
  async ensureAdmin(admin: AdminAccount): Promise<void> {
    let account: NewAccount;
    try {
      account = parseNewAccount({ ...admin, name: 'Administrator' });
    } catch (error) {
      if (!(error instanceof BadUserInputError)) throw error;
      const variable = error.extensions.field === 'email' ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD';
      throw new ConfigError(`invalid setting ${variable}: ${error.message}`);
    }
    const created = await this.users.createIfAbsent({
      email: account.email,
      name: account.name,
      role: 'ADMIN',
      passwordHash: await hashPassword(account.password),
    });
    if (created) {
      this.log.info({ email: account.email }, 'admin account created');
      return;
    }
    const existing = await this.queries.findByEmail(account.email);
    if (existing?.role !== 'ADMIN') {
      this.log.warn({ email: account.email }, 'the admin email belongs to a non-ADMIN account; left unchanged');
    }
  }

  private async session(user: UserRow): Promise<Session> {
    const { token, expiresAt } = await this.tokens.issue({ id: user.id, role: user.role });
    return { token, expiresAt, user };
  }
}
