import { registerEnumType } from 'type-graphql';
import { OrderStatus } from '../domain/OrderStatus';

registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  valuesConfig: {
    PENDING: { description: 'Placed, waiting for the stock reservation' },
    RESERVED: { description: 'Stock reserved, waiting for the payment' },
    PAID: { description: 'Payment captured: the happy end' },
    REJECTED: { description: 'Ended by the saga: see rejectionReason' },
    CANCELLED: { description: 'Cancelled by its owner (stock released, payment refunded if taken)' },
  },
});

export { OrderStatus };
