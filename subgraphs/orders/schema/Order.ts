import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Money } from '../../../platform/graphql/Money';
import type { OrderRow } from '../db/OrderRow';
import { OrderStatus } from './OrderStatus';

/**
 * An order. user, items and history are field resolvers (resolvers/OrderResolver.ts),
 * loaded in batches; payment is contributed by the payments subgraph.
 */
@ObjectType()
@Directive('@key(fields: "id")')
export class Order {
  @Field(() => ID)
  id: string;

  /** Not a field of its own: the owner, exposed as `user` and checked on every read. */
  userId: string;

  /** Not a field: the items' prices are in it. */
  currency: string;

  @Field(() => Money)
  total: Money;

  @Field(() => OrderStatus)
  status: OrderStatus;

  @Field(() => String, { nullable: true, description: 'OUT_OF_STOCK | PAYMENT_DECLINED | INVALID_CARD | TIMED_OUT (not ended within the order deadline); null unless REJECTED' })
  rejectionReason: string | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

export function toOrder(row: OrderRow): Order {
  const currency = row.currency.trim();
  return Object.assign(new Order(), {
    id: row.id,
    userId: row.userId,
    currency,
    total: Money.of(row.totalCents, currency),
    status: row.status,
    rejectionReason: row.rejectionReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}
