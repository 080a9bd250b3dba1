import type { BaseContext } from '../../platform/graphql/context';
import type { PaymentRepository } from './db/PaymentRepository';
import type { PaymentLoaders } from './loaders';

export interface PaymentsDeps {
  payments: PaymentRepository;
}

export interface PaymentsContext extends BaseContext, PaymentsDeps {
  loaders: PaymentLoaders;
}
