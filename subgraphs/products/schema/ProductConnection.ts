import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../../platform/graphql/PageInfo';
import { Product } from './Product';

@ObjectType()
export class ProductEdge {
  @Field()
  cursor: string;

  @Field(() => Product)
  node: Product;
}

@ObjectType()
export class ProductConnection {
  @Field(() => [ProductEdge])
  edges: ProductEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
