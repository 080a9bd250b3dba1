import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * users owns User; orders only adds User.orders (resolvers/UserOrdersResolver.ts).
 * Resolvable, because the gateway brings a User reference here to ask for its orders.
 */
@ObjectType()
@Directive('@key(fields: "id")')
export class User {
  @Field(() => ID)
  id: string;
}
