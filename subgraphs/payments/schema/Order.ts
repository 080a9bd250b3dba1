import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * orders owns Order; payments only adds Order.payment (resolvers/OrderPaymentResolver.ts).
 * Resolvable, because the gateway brings an Order reference here to ask for its payment.
 */
@ObjectType()
@Directive('@key(fields: "id")')
export class Order {
  @Field(() => ID)
  id: string;
}
