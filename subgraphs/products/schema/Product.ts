import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Money } from '../../../platform/graphql/Money';
import type { ProductRow } from '../db/ProductRow';

@ObjectType({ description: 'A catalog product' })
@Directive('@key(fields: "id")')
export class Product {
  @Field(() => ID)
  id: string;

  @Field()
  sku: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => Money)
  price: Money;
}

export function toProduct(row: ProductRow): Product {
  return Object.assign(new Product(), {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: Money.of(row.priceCents, row.currency.trim()),
  });
}
