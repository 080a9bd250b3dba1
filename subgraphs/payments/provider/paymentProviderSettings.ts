import { decimal, integer, optionalText } from '../../../platform/settings/setting';
import { settingsGroup } from '../../../platform/settings/settingsGroup';

/** How the simulated payment provider behaves: for load tests, chaos runs and demos of failure. */
export const paymentProviderSettings = settingsGroup(
  'paymentProvider',
  ['payments'],
  {
    PAYMENT_PROVIDER_LATENCY_MS: integer({
      default: 0,
      min: 0,
      max: 60_000,
      description: 'how long each charge and refund takes',
    }),
    PAYMENT_PROVIDER_FAILURE_RATE: decimal({
      default: 0,
      min: 0,
      max: 1,
      description: 'share of calls that fail transiently (then retried)',
    }),
    PAYMENT_PROVIDER_OUTAGE_FILE: optionalText({
      description: 'while this file exists, every call fails as if the provider were down',
    }),
  },
  (s) => ({
    paymentProvider: {
      latencyMs: s.PAYMENT_PROVIDER_LATENCY_MS,
      transientFailureRate: s.PAYMENT_PROVIDER_FAILURE_RATE,
      outageFile: s.PAYMENT_PROVIDER_OUTAGE_FILE,
    },
  }),
);
