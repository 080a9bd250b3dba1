import type { BaseContext } from '../../platform/graphql/context';
import type { AccountService } from './AccountService';
import type { UserQueries } from './db/UserQueries';
import type { UserLoaders } from './loaders';

export interface UsersDeps {
  userQueries: UserQueries;
  accountService: AccountService;
}

export interface UsersContext extends BaseContext, UsersDeps {
  loaders: UserLoaders;
}
