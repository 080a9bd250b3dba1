import type { BaseContext } from '../../platform/graphql/context';
import type { PaymentQueries } from './db/PaymentQueries';
import type { PaymentRepository } from './db/PaymentRepository';
import type { PaymentProvider } from './domain/PaymentProvider';
import type { PaymentLoaders } from './loaders';
import type { PaymentService } from './PaymentService';

export interface PaymentsDeps {
  paymentQueries: PaymentQueries;
  /** The order saga's writes: intents, charges, refunds (the service's; tests arrange through it). */
  paymentRepository: PaymentRepository;
  paymentService: PaymentService;
  provider: PaymentProvider;
}

/** Requests only read payments; the saga's services stay out of them. */
export interface PaymentsContext extends BaseContext, Pick<PaymentsDeps, 'paymentQueries'> {
  loaders: PaymentLoaders;
}
