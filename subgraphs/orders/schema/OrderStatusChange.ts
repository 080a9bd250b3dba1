import { Field, ObjectType } from 'type-graphql';
import type { OrderStatusChangeRow } from '../db/OrderStatusChangeRow';
import { OrderStatus } from './OrderStatus';

@ObjectType()
export class OrderStatusChange {
  @Field(() => OrderStatus)
  status: OrderStatus;

  @Field()
  at: Date;
}

export function toOrderStatusChange(row: OrderStatusChangeRow): OrderStatusChange {
  return Object.assign(new OrderStatusChange(), { status: row.status, at: row.at });
}
