import { Field, ObjectType } from 'type-graphql';
import { User } from './User';

@ObjectType({ description: 'What signUp and logIn return' })
export class AuthPayload {
  @Field({ description: 'JWT, sent back as "Authorization: Bearer <token>"' })
  token: string;

  @Field()
  expiresAt: Date;

  @Field(() => User)
  user: User;
}
