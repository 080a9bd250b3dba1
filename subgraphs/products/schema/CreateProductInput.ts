import { IsInt, IsOptional, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';

@InputType()
export class CreateProductInput {
  @Field()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'sku may hold letters, digits, ".", "_" and "-" only' })
  sku: string;

  @Field()
  @Length(1, 200)
  name: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string | null;

  @Field(() => Int, { description: 'Price in minor units (cents)' })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  price: number;

  @Field(() => String, { nullable: true, defaultValue: 'USD' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO-4217 code such as USD' })
  currency?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  initialStock?: number | null;
}
