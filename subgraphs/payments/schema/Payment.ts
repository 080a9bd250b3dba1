import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Money } from '../../../platform/graphql/Money';
import type { PaymentRow } from '../db/PaymentRow';
import { PaymentStatus } from './PaymentStatus';

/** A charge of an order's total; `order` is a field resolver (resolvers/PaymentResolver.ts). */
@ObjectType()
@Directive('@key(fields: "id")')
export class Payment {
  @Field(() => ID)
  id: string;

  /** Not a field: the order, exposed as the Order reference `order`. */
  orderId: string;

  /** Not a field: the order's owner, checked on every read. */
  userId: string;

  @Field(() => Money)
  amount: Money;

  @Field(() => PaymentStatus)
  status: PaymentStatus;

  @Field(() => String, { nullable: true, description: 'Why the provider declined; null unless FAILED' })
  failureReason: string | null;

  @Field()
  createdAt: Date;
}

export function toPayment(row: PaymentRow): Payment {
  return Object.assign(new Payment(), {
    id: row.id,
    orderId: row.orderId,
    userId: row.userId,
    amount: Money.of(row.amountCents, row.currency.trim()),
    status: row.status,
    failureReason: row.failureReason,
    createdAt: row.createdAt,
  });
}
