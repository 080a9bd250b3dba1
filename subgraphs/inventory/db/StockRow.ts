import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Stock of one product: what is on hand and how much of it is reserved by open orders. */
@Entity('stock')
export class StockRow {
  @PrimaryColumn({ name: 'product_id', type: 'uuid' })
  productId: string;

  @Column({ name: 'on_hand', type: 'integer' })
  onHand: number;

  @Column({ type: 'integer' })
  reserved: number;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
