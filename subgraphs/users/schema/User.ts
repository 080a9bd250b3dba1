import { Directive, Field, ID, ObjectType } from 'type-graphql';
import type { UserRow } from '../db/UserRow';
import { Role } from './Role';

@ObjectType({ description: 'An account' })
@Directive('@key(fields: "id")')
export class User {
  @Field(() => ID)
  id: string;

  /** Resolved by UserResolver.email: only the user themself or an ADMIN may read it. */
  @Field({ description: 'Readable by the user themself and by ADMINs only' })
  email: string;

  @Field()
  name: string;

  @Field(() => Role)
  role: Role;

  @Field()
  active: boolean;

  @Field()
  createdAt: Date;

  /**
   * Not in the schema. Set on the user a signUp/logIn answers with: that
   * request has just proved it is this user, though it carries no token yet.
   */
  provenByRequest?: boolean;
}

export function toUser(row: UserRow): User {
  return Object.assign(new User(), {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role === 'ADMIN' ? Role.ADMIN : Role.CUSTOMER,
    active: row.active,
    createdAt: row.createdAt,
  });
}
