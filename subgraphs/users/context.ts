import type { BaseContext } from '../../platform/graphql/context';
import type { AccountService } from './AccountService';
import type { UserRepository } from './db/UserRepository';
import type { UserLoaders } from './loaders';

export interface UsersDeps {
  users: UserRepository;
  accounts: AccountService;
}

export interface UsersContext extends BaseContext, UsersDeps {
  loaders: UserLoaders;
}
