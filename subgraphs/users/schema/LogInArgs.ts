import { MaxLength } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
import { EMAIL_MAX_LENGTH } from '../domain/accountRules';

/** An ArgsType keeps the contract's argument order (email, password) in the printed schema. */
@ArgsType()
export class LogInArgs {
  /** No account has a longer email (accountRules.ts), so it is refused before any lookup. */
  @Field()
  @MaxLength(EMAIL_MAX_LENGTH)
  email: string;

  /**
   * Bounded by PASSWORD_MAX_LENGTH in AccountService.logIn, which answers a longer one as it does a
   * wrong one (UNAUTHENTICATED), before scrypt sees it.
   */
  @Field()
  password: string;
}
