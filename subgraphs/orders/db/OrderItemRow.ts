import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One line of an order, priced and named as at order time. */
@Entity('order_items')
export class OrderItemRow {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @PrimaryColumn({ name: 'line_no', type: 'integer' })
  lineNo: number;

  @Column({ name: 'product_id', type: 'uuid' })
  productId: string;

  @Column({ name: 'product_name', type: 'varchar', length: 200 })
  productName: string;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ name: 'unit_price_cents', type: 'integer' })
  unitPriceCents: number;
}
