import type { SubgraphDefinition } from '../../platform/subgraph';
import type { OrdersContext, OrdersDeps } from './context';
import { OrderItemRow } from './db/OrderItemRow';
import { OrderQueries } from './db/OrderQueries';
import { OrderRow } from './db/OrderRow';
import { OrderStatusChangeRow } from './db/OrderStatusChangeRow';
import { migrations } from './db/migrations';
import { createLoaders } from './loaders';
import { OrderResolver } from './resolvers/OrderResolver';
import { OrderMutationResolver } from './resolvers/OrderMutationResolver';
import { OrderSubscriptionResolver } from './resolvers/OrderSubscriptionResolver';
import { OrderRepository } from './db/OrderRepository';
import { orderConsumers } from './events/consumers';
import { OrderService } from './OrderService';
import { SagaAdmission } from './SagaAdmission';
import { SagaDeadline } from './SagaDeadline';
import { sagaAdmissionSettings } from './sagaAdmissionSettings';
import { ProductsClient } from './ProductsClient';
import { resolveOrderReference } from './resolvers/orderReference';
import { UserOrdersResolver } from './resolvers/UserOrdersResolver';
import type { User } from './schema/User';

type OrdersSettings = ReturnType<typeof sagaAdmissionSettings.read>;

export const ordersSubgraph: SubgraphDefinition<OrdersDeps, OrdersContext, OrdersSettings> = {
  name: 'orders',
  settings: sagaAdmissionSettings,
  schema: {
    resolvers: [OrderResolver, OrderMutationResolver, OrderSubscriptionResolver, UserOrdersResolver],
    referenceResolvers: {
      Order: { __resolveReference: resolveOrderReference },
      // Any id is a User reference here: User.orders authorizes against it when asked.
      User: { __resolveReference: (ref: { id: string }): Pick<User, 'id'> => ({ id: ref.id }) },
    },
  },
  entities: [OrderRow, OrderItemRow, OrderStatusChangeRow],
  migrations,
  createDeps: ({ dataSource, signer, config, settings, log, metrics }) => {
    const orderQueries = new OrderQueries(dataSource);
    // SAGA_MAX_DRAIN_SECONDS=0 turns admission control off: every order is taken.
    const admission =
      settings.sagaAdmission.maxDrainSeconds > 0
        ? new SagaAdmission(orderQueries, settings.sagaAdmission, log, metrics)
        : undefined;
    const orderService = new OrderService(
      dataSource,
      orderQueries,
      new OrderRepository(),
      new ProductsClient(signer, `${config.baseUrl.products}/graphql`),
      admission,
    );
    return {
      orderQueries,
      admission,
      orderService,
      deadline: new SagaDeadline(orderService, config.orderDeadlineMs, log, metrics),
    };
  },
  onStart: async (deps) => {
    deps.admission?.start();
    deps.deadline.start();
  },
  onStop: async (deps) => {
    deps.admission?.stop();
    await deps.deadline.stop();
  },
  events: { publishes: true, consumers: (deps) => orderConsumers(deps.orderService) },
  createContext: (deps, base) => ({ ...base, ...deps, loaders: createLoaders(deps.orderQueries) }),
};
