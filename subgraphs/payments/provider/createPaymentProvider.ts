import type { DataSource } from 'typeorm';
import type { PaymentProvider } from '../domain/PaymentProvider';
import type { PaymentProviderName } from './paymentProviderSettings';
import { SimulatedPaymentProvider, type SimulatedProviderBehaviour } from './SimulatedPaymentProvider';

export interface ProviderSetup {
  dataSource: DataSource;
  /** The simulated provider's latency, faults and outage switch. */
  simulated: SimulatedProviderBehaviour;
  /** The simulated provider's dice, for reproducible faults in tests. */
  random?: () => number;
}

/** The adapter PAYMENT_PROVIDER names; the switch is exhaustive, so a new name cannot go unwired. */
export function createPaymentProvider(name: PaymentProviderName, setup: ProviderSetup): PaymentProvider {
  switch (name) {
    case 'simulated':
      return new SimulatedPaymentProvider(setup.dataSource, setup.simulated, setup.random);
  }
}
