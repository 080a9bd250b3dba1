import { Directive, Field, Int, ObjectType } from 'type-graphql';

/** Integer minor units with an ISO-4217 code. Shareable: products, orders and payments all return it. */
@ObjectType({ description: 'An amount of money in integer minor units (cents)' })
@Directive('@shareable')
export class Money {
  @Field(() => Int)
  amount: number;

  @Field()
  currency: string;

  static of(amount: number, currency: string): Money {
    return Object.assign(new Money(), { amount, currency });
  }
}
