import { Arg, ID, Resolver, Subscription } from 'type-graphql';
import { servedByGateway } from '../../../platform/graphql/servedByGateway';
import { Order } from '../schema/Order';

/**
 * Declared here, served by the gateway: orders owns Order and states the
 * contract of its live updates; the gateway serves them over WebSocket or
 * SSE from orders.statusChanged (events/contracts.ts), resolving each Order
 * through the query plan with the subscriber's identity, so the owner-or-ADMIN
 * check stays OrderResolver's.
 */
@Resolver(() => Order)
export class OrderSubscriptionResolver {
  @Subscription(() => Order, {
    subscribe: servedByGateway,
    description:
      'The order now, then again at every status change until it ends (PAID, REJECTED, CANCELLED). Its owner or an ADMIN.',
  })
  orderUpdated(@Arg('id', () => ID) _id: string): Order {
    return servedByGateway();
  }

  @Subscription(() => Order, {
    subscribe: servedByGateway,
    description: "Each of the signed-in user's orders whenever its status changes.",
  })
  myOrdersUpdated(): Order {
    return servedByGateway();
  }
}
