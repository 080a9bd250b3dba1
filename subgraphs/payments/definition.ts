import type { SubgraphDefinition } from '../../platform/subgraph';
import type { PaymentsContext, PaymentsDeps } from './context';
import { PaymentRepository } from './db/PaymentRepository';
import { PaymentRow } from './db/PaymentRow';
import { migrations } from './db/migrations';
import { createLoaders } from './loaders';
import { OrderPaymentResolver } from './resolvers/OrderPaymentResolver';
import { PaymentResolver } from './resolvers/PaymentResolver';
import { resolvePaymentReference } from './resolvers/paymentReference';
import type { Order } from './schema/Order';

export const paymentsSubgraph: SubgraphDefinition<PaymentsDeps, PaymentsContext> = {
  name: 'payments',
  schema: {
    resolvers: [PaymentResolver, OrderPaymentResolver],
    referenceResolvers: {
      Payment: { __resolveReference: resolvePaymentReference },
      // Any id is an Order reference here: Order.payment authorizes against the payment's owner.
      Order: { __resolveReference: (ref: { id: string }): Pick<Order, 'id'> => ({ id: ref.id }) },
    },
  },
  entities: [PaymentRow],
  migrations,
  createDeps: ({ dataSource }) => ({ payments: new PaymentRepository(dataSource) }),
  createContext: (deps, base) => ({ ...base, ...deps, loaders: createLoaders(deps.payments) }),
};
