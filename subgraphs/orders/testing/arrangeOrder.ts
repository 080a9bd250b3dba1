import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OrderItemRow } from '../db/OrderItemRow';
import { OrderRow } from '../db/OrderRow';
import { OrderStatusChangeRow } from '../db/OrderStatusChangeRow';
import { OrderStatus } from '../domain/OrderStatus';

export interface ArrangedOrder {
  userId: string;
  status?: OrderStatus;
  createdAt?: Date;
  rejectionReason?: string | null;
  lines?: { productId: string; productName: string; quantity: number; unitPriceCents: number }[];
  /** Statuses the order went through before `status`, oldest first. */
  earlier?: OrderStatus[];
}

/**
 * For tests: writes the rows the saga will write once orders can be placed
 * (a later issue), priced in EUR, each history entry 1 ms after the previous one.
 */
export async function arrangeOrder(db: DataSource, order: ArrangedOrder): Promise<string> {
  const status = order.status ?? OrderStatus.PENDING;
  const createdAt = order.createdAt ?? new Date();
  const lines = order.lines ?? [{ productId: randomUUID(), productName: 'Teapot', quantity: 2, unitPriceCents: 1250 }];
  const { identifiers } = await db.getRepository(OrderRow).insert({
    userId: order.userId,
    status,
    rejectionReason: order.rejectionReason ?? null,
    totalCents: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
    currency: 'EUR',
    version: 1,
    createdAt,
    updatedAt: createdAt,
  });
  const id = identifiers[0].id as string;
  await db.getRepository(OrderItemRow).insert(lines.map((line, i) => ({ orderId: id, lineNo: i + 1, ...line })));
  const statuses = [...(order.earlier ?? []), status];
  await db
    .getRepository(OrderStatusChangeRow)
    .insert(statuses.map((s, i) => ({ orderId: id, seq: i + 1, status: s, at: new Date(createdAt.getTime() + i) })));
  return id;
}
