/**
 * Where an order is in the saga (DESIGN.md). The saga's transitions come with
 * placing orders; the values are stored as text in orders.status and
 * order_status_history.status, whose CHECK constraints list the same five.
 */
export enum OrderStatus {
  PENDING = 'PENDING',
  RESERVED = 'RESERVED',
  PAID = 'PAID',
  REJECTED = 'REJECTED',
  CANCELLED = 'CANCELLED',
}
