import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../../platform/graphql/PageInfo';
import { Order } from './Order';

@ObjectType()
export class OrderEdge {
  @Field()
  cursor: string;

  @Field(() => Order)
  node: Order;
}

@ObjectType()
export class OrderConnection {
  @Field(() => [OrderEdge])
  edges: OrderEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
