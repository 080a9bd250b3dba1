import { Arg, ID, Resolver, Subscription } from 'type-graphql';
import { servedByGateway } from '../../../platform/graphql/servedByGateway';
import { Product } from '../schema/Product';

/**
 * Declared here, served by the gateway: products owns Product and states the
 * contract of its live updates; the gateway serves them over WebSocket or SSE
 * from inventory.stockChanged (and, once prices can change, the catalog's
 * events), resolving each Product through the query plan.
 */
@Resolver(() => Product)
export class ProductSubscriptionResolver {
  @Subscription(() => Product, {
    subscribe: servedByGateway,
    description: 'Each of these products (at most 100) whenever its stock or price changes. Anyone.',
  })
  productsUpdated(@Arg('ids', () => [ID]) _ids: string[]): Product {
    return servedByGateway();
  }
}
