import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OrderStatus } from '../domain/OrderStatus';

/** One status an order went through; seq orders them (timestamps can tie). */
@Entity('order_status_history')
export class OrderStatusChangeRow {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'text' })
  status: OrderStatus;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;
}
