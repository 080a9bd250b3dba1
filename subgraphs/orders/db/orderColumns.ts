import type { OrderStatus } from '../domain/OrderStatus';
import { OrderRow } from './OrderRow';

/** How the orders table's rows are read by the plain-SQL statements of OrderQueries and OrderRepository. */

/** Named, not `*`: these statements are prepared, and a prepared `*` breaks when a migration adds a column. */
export const ORDER_COLUMNS = `id, user_id, status, rejection_reason, total_cents, currency, idempotency_key, request_hash,
  cancel_requested_at, version, created_at, updated_at`;

/** An orders row as Postgres returns it. */
export interface OrderColumns {
  id: string;
  user_id: string;
  status: OrderStatus;
  rejection_reason: string | null;
  total_cents: number;
  currency: string;
  idempotency_key: string | null;
  request_hash: string | null;
  cancel_requested_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toOrderRow(columns: OrderColumns): OrderRow {
  return Object.assign(new OrderRow(), {
    id: columns.id,
    userId: columns.user_id,
    status: columns.status,
    rejectionReason: columns.rejection_reason,
    totalCents: columns.total_cents,
    currency: columns.currency,
    idempotencyKey: columns.idempotency_key,
    requestHash: columns.request_hash,
    cancelRequestedAt: columns.cancel_requested_at,
    version: columns.version,
    createdAt: columns.created_at,
    updatedAt: columns.updated_at,
  });
}
