import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';

/** inventory's part of Product (products owns the rest): how many can still be ordered. */
@ObjectType()
@Directive('@key(fields: "id")')
export class Product {
  @Field(() => ID)
  id: string;

  @Field(() => Int, { description: 'Units that can still be ordered (on hand minus reserved)' })
  available: number;

  @Field()
  inStock: boolean;
}
