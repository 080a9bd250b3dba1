import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** products (and inventory) resolve a Product; orders only hands out the reference. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class Product {
  @Field(() => ID)
  id: string;
}
