import { ArgsType, Field } from 'type-graphql';

/** An ArgsType keeps the contract's argument order (email, password) in the printed schema. */
@ArgsType()
export class LogInArgs {
  @Field()
  email: string;

  @Field()
  password: string;
}
