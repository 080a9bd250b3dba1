import { UserTokenIssuer } from '../../platform/auth/userTokens';
import type { SubgraphDefinition } from '../../platform/subgraph';
import { AccountService } from './AccountService';
import type { UsersContext, UsersDeps } from './context';
import { UserQueries } from './db/UserQueries';
import { UserRepository } from './db/UserRepository';
import { UserRow } from './db/UserRow';
import { migrations } from './db/migrations';
import { createLoaders } from './loaders';
import { AuthResolver } from './resolvers/AuthResolver';
import { UserResolver } from './resolvers/UserResolver';
import type { User } from './schema/User';
import { adminSettings } from './adminSettings';

export type UsersSettings = ReturnType<typeof adminSettings.read>;

/** How long a user token from signUp/logIn is valid; there is no refresh token yet, so one hour. */
export const tokenLifetimeSeconds = 60 * 60;

export const usersSubgraph: SubgraphDefinition<UsersDeps, UsersContext, UsersSettings> = {
  name: 'users',
  settings: adminSettings,
  schema: {
    resolvers: [UserResolver, AuthResolver],
    referenceResolvers: {
      User: {
        // Unknown ids resolve to null, through the request's loader (one query per batch).
        __resolveReference: (ref: { id: string }, ctx: UsersContext): Promise<User | null> =>
          ctx.loaders.user.load(ref.id),
      },
    },
  },
  entities: [UserRow],
  migrations,
  createDeps: ({ dataSource, signingKey, config, log }) => {
    const userQueries = new UserQueries(dataSource);
    const tokens = new UserTokenIssuer(signingKey, {
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      lifetimeSeconds: tokenLifetimeSeconds,
    });
    return {
      userQueries,
      accountService: new AccountService(userQueries, new UserRepository(dataSource), tokens, log),
    };
  },
  // ADMIN_EMAIL / ADMIN_PASSWORD: the shop's first ADMIN, created before the service takes requests.
  onStart: async ({ accountService }, { settings }) => {
    if (settings.admin) await accountService.ensureAdmin(settings.admin);
  },
  createContext: (deps, base) => ({ ...deps, ...base, loaders: createLoaders(deps.userQueries) }),
};
