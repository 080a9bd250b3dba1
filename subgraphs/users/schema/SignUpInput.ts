import { Field, InputType } from 'type-graphql';

/** Checked by domain/accountRules.ts after normalising (trim, lower-case email), not by decorators on raw input. */
@InputType()
export class SignUpInput {
  @Field({ description: 'Stored trimmed and lower-case; at most 254 characters' })
  email: string;

  @Field({ description: '8 to 128 characters' })
  password: string;

  @Field({ description: '1 to 100 characters, trimmed' })
  name: string;
}
