import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { ID_MAX_LENGTH } from '../../../platform/graphql/ids';
import { MAX_LINES } from '../domain/orderLines';

@InputType()
export class OrderItemInput {
  @Field(() => ID)
  @MaxLength(ID_MAX_LENGTH)
  productId: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;
}

@InputType({ description: 'tok_visa (and other tok_...) succeeds; tok_decline is declined' })
export class PaymentMethodInput {
  @Field()
  @Length(1, 100)
  @Matches(/^[\w-]+$/, { message: 'cardToken may hold letters, digits, "_" and "-" only' })
  cardToken: string;
}

@InputType()
export class PlaceOrderInput {
  @Field(() => [OrderItemInput])
  @ArrayMinSize(1)
  // Also the size the gateway's cost counts Order.items as (resolvers/OrderResolver.ts).
  @ArrayMaxSize(MAX_LINES)
  @ValidateNested({ each: true })
  items: OrderItemInput[];

  @Field(() => PaymentMethodInput)
  @ValidateNested()
  paymentMethod: PaymentMethodInput;

  @Field(() => String, {
    nullable: true,
    description: 'The same key from the same user returns the same order instead of a second one',
  })
  @IsOptional()
  @MaxLength(100)
  idempotencyKey?: string | null;
}
