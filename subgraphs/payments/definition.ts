import type { SubgraphDefinition } from '../../platform/subgraph';
import type { PaymentsContext, PaymentsDeps } from './context';
import { PaymentIntentRow } from './db/PaymentIntentRow';
import { PaymentQueries } from './db/PaymentQueries';
import { PaymentRow } from './db/PaymentRow';
import { PaymentRepository } from './db/PaymentRepository';
import { migrations } from './db/migrations';
import { paymentConsumers } from './events/consumers';
import { createLoaders } from './loaders';
import { PaymentService } from './PaymentService';
import { createPaymentProvider } from './provider/createPaymentProvider';
import type { SimulatedProviderBehaviour } from './provider/SimulatedPaymentProvider';
import { OrderPaymentResolver } from './resolvers/OrderPaymentResolver';
import { PaymentResolver } from './resolvers/PaymentResolver';
import { resolvePaymentReference } from './resolvers/paymentReference';
import type { Order } from './schema/Order';
import { paymentProviderSettings } from './provider/paymentProviderSettings';

type PaymentsSettings = ReturnType<typeof paymentProviderSettings.read>;

export interface PaymentsOptions {
  /** Overrides the configured behaviour of the simulated provider (PAYMENT_PROVIDER_*). */
  paymentProvider?: Partial<SimulatedProviderBehaviour>;
  /** The simulated provider's dice, for reproducible faults in tests. */
  random?: () => number;
}

export function createPaymentsSubgraph(
  options: PaymentsOptions = {},
): SubgraphDefinition<PaymentsDeps, PaymentsContext, PaymentsSettings> {
  return {
    name: 'payments',
    settings: paymentProviderSettings,
    schema: {
      resolvers: [PaymentResolver, OrderPaymentResolver],
      referenceResolvers: {
        Payment: { __resolveReference: resolvePaymentReference },
        // Any id is an Order reference here: Order.payment authorizes against the payment's owner.
        Order: { __resolveReference: (ref: { id: string }): Pick<Order, 'id'> => ({ id: ref.id }) },
      },
    },
    entities: [PaymentRow, PaymentIntentRow],
    migrations,
    createDeps: ({ dataSource, settings }) => {
      const paymentQueries = new PaymentQueries(dataSource);
      const paymentRepository = new PaymentRepository(dataSource);
      const provider = createPaymentProvider(settings.providerName, {
        dataSource,
        simulated: providerBehaviour(settings.paymentProvider, options.paymentProvider),
        random: options.random,
      });
      return {
        paymentQueries,
        paymentRepository,
        paymentService: new PaymentService(paymentQueries, paymentRepository, provider),
        provider,
      };
    },
    createContext: (deps, base) => ({
      ...base,
      paymentQueries: deps.paymentQueries,
      loaders: createLoaders(deps.paymentQueries),
    }),
    events: {
      publishes: true,
      consumers: (deps) => paymentConsumers(deps.paymentService),
    },
  };
}

export const paymentsSubgraph = createPaymentsSubgraph();

/**
 * PAYMENT_PROVIDER_* (runtime.settings: latency, failure rate, outage file), overridden by the
 * options; a reliable, instant provider that is never out by default.
 */
function providerBehaviour(
  ...sources: (Partial<SimulatedProviderBehaviour> | undefined)[]
): SimulatedProviderBehaviour {
  return Object.assign({ latencyMs: 0, transientFailureRate: 0, outageFile: undefined }, ...sources);
}
