import type { BaseContext } from '../../platform/graphql/context';
import type { PaymentRepository } from './db/PaymentRepository';
import type { PaymentSagaRepository } from './db/PaymentSagaRepository';
import type { PaymentProvider } from './domain/PaymentProvider';
import type { PaymentLoaders } from './loaders';

export interface PaymentsDeps {
  payments: PaymentRepository;
  /** The order saga's writes: intents, charges, refunds. */
  saga: PaymentSagaRepository;
  provider: PaymentProvider;
}

/** Requests only read payments; the saga's services stay out of them. */
export interface PaymentsContext extends BaseContext, Pick<PaymentsDeps, 'payments'> {
  loaders: PaymentLoaders;
}
