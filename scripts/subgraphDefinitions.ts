import type { SubgraphName } from '../platform/config';
import type { BaseContext } from '../platform/graphql/context';
import type { SubgraphDefinition } from '../platform/subgraph';
import { inventorySubgraph } from '../subgraphs/inventory/definition';
import { ordersSubgraph } from '../subgraphs/orders/definition';
import { paymentsSubgraph } from '../subgraphs/payments/definition';
import { productsSubgraph } from '../subgraphs/products/definition';
import { usersSubgraph } from '../subgraphs/users/definition';

/** Every subgraph of the supergraph, by name: what composition and the test harness start from. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const subgraphDefinitions: Record<SubgraphName, SubgraphDefinition<any, BaseContext, any>> = {
  users: usersSubgraph,
  products: productsSubgraph,
  inventory: inventorySubgraph,
  orders: ordersSubgraph,
  payments: paymentsSubgraph,
};
