import { z } from 'zod';
import { serviceSettings } from '../../../platform/serviceSettings';
import { custom, decimal, integer, optionalText } from '../../../platform/settings/setting';
import { ConfigError, settingsGroup, type Env } from '../../../platform/settings/settingsGroup';

/** The card processors payments can charge through; a real one joins this list with its adapter. */
export const PAYMENT_PROVIDERS = ['simulated'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** Which payment provider payments uses, and how the simulated one behaves (load tests, chaos runs, demos of failure). */
export const paymentProviderSettings = settingsGroup(
  'paymentProvider',
  ['payments'],
  {
    PAYMENT_PROVIDER: custom({
      description:
        'the card processor; `simulated` takes the test card tokens and moves no money. Unset: `simulated`, except in production, which refuses to start without it',
      values: PAYMENT_PROVIDERS.map((name) => `\`${name}\``).join(', '),
      invalid: 'none-of-these',
      schema: z.enum(PAYMENT_PROVIDERS).optional(),
    }),
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
  (s, env) => ({
    providerName: chosenProvider(s.PAYMENT_PROVIDER, env),
    paymentProvider: {
      latencyMs: s.PAYMENT_PROVIDER_LATENCY_MS,
      transientFailureRate: s.PAYMENT_PROVIDER_FAILURE_RATE,
      outageFile: s.PAYMENT_PROVIDER_OUTAGE_FILE,
    },
  }),
);

/**
 * Production must name its provider: a shop deployed without one would otherwise take every order
 * "paid" by a simulation. A demo that really means to run on it says `simulated` out loud.
 */
function chosenProvider(configured: PaymentProviderName | undefined, env: Env): PaymentProviderName {
  if (configured) return configured;
  if (serviceSettings.read(env).production) {
    throw new ConfigError(
      'invalid setting PAYMENT_PROVIDER: required in production (`simulated` moves no money: set it explicitly to run on it)',
    );
  }
  return 'simulated';
}
