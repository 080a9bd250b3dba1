import { Field, Int, ObjectType } from 'type-graphql';
import { Money } from '../../../platform/graphql/Money';
import type { OrderItemRow } from '../db/OrderItemRow';
import { Product } from './Product';

@ObjectType({ description: 'One line of an order, as it was when the order was placed' })
export class OrderItem {
  @Field(() => Product, { description: 'Resolved by the products and inventory subgraphs' })
  product: Product;

  @Field({ description: 'Denormalised at order time' })
  productName: string;

  @Field(() => Int)
  quantity: number;

  @Field(() => Money, { description: 'Price at order time' })
  unitPrice: Money;
}

/** The currency is the order's: an order is priced in one currency. */
export function toOrderItem(row: OrderItemRow, currency: string): OrderItem {
  return Object.assign(new OrderItem(), {
    product: Object.assign(new Product(), { id: row.productId }),
    productName: row.productName,
    quantity: row.quantity,
    unitPrice: Money.of(row.unitPriceCents, currency),
  });
}
