import type { SagaScenarioSettings } from './sagaScenarios';
import type { SubscriptionLoadSettings } from './subscriptionLoad';

/** What one bench run does, and for how long: FULL for the figures, QUICK to prove it works. */
export interface Settings {
  rounds: number;
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
  saga: {
    ratePerSecond: number;
    seconds: number;
    settleSeconds: number;
    /** Orders at a low rate before the measured window, not counted (see warmUpSaga). */
    warmUp: { ratePerSecond: number; seconds: number };
  };
  scenarios: SagaScenarioSettings;
  subscriptions: SubscriptionLoadSettings;
}

/**
 * The ramp's payment provider: 100 ms a charge, four at a time, so the saga finishes about 40 orders/s,
 * less than placeOrder takes; a burst of 50 so that the floor does not hide the drain bound (10 s x 40/s).
 */
const SLOW_PAYMENTS = {
  PAYMENT_PROVIDER_LATENCY_MS: '100',
  EVENTS_CONSUMER_CONCURRENCY: '4',
  SAGA_ADMISSION_BURST: '50',
};

export const FULL: Settings = {
  rounds: 3,
  warmupSeconds: 3,
  durationSeconds: 10,
  connections: 20,
  saga: { ratePerSecond: 200, seconds: 60, settleSeconds: 60, warmUp: { ratePerSecond: 20, seconds: 5 } },
  scenarios: {
    flashSale: { customers: 100 },
    steady: { ratePerSecond: 25, seconds: 20, customers: 20, pollIntervalMs: 1_000 },
    steadyFastPolling: { ratePerSecond: 20, seconds: 20, customers: 20, pollIntervalMs: 50 },
    // 30 s at the top: at SAGA_MAX_DRAIN_SECONDS=10 the backlog passes 10 x the finishing rate well before.
    ramp: {
      steps: [25, 50, 100, 150, 200].map((ratePerSecond) => ({
        ratePerSecond,
        seconds: ratePerSecond < 200 ? 10 : 30,
      })),
      sliceSeconds: 5,
      maxDrainSeconds: 10,
      servicesEnv: SLOW_PAYMENTS,
      customers: 20,
    },
    settleSeconds: 60,
    warmUp: { ratePerSecond: 20, seconds: 5 },
  },
  // The load: 1,000 WebSocket and 200 SSE subscribers while orders flow steadily.
  subscriptions: {
    webSockets: 1_000,
    sse: 200,
    productsPerWatcher: 5,
    ordersPerSecond: 10,
    seconds: 30,
    settleSeconds: 30,
  },
};
/** Proves the bench works (CI); its figures are too short to compare. */
export const QUICK: Settings = {
  rounds: 1,
  warmupSeconds: 1,
  durationSeconds: 2,
  connections: 20,
  saga: { ratePerSecond: 50, seconds: 4, settleSeconds: 20, warmUp: { ratePerSecond: 20, seconds: 1 } },
  scenarios: {
    flashSale: { customers: 20 },
    steady: { ratePerSecond: 25, seconds: 2, customers: 20, pollIntervalMs: 1_000 },
    steadyFastPolling: { ratePerSecond: 20, seconds: 2, customers: 20, pollIntervalMs: 50 },
    ramp: {
      steps: [20, 50, 100].map((ratePerSecond) => ({ ratePerSecond, seconds: 2 })),
      sliceSeconds: 1,
      maxDrainSeconds: 10,
      servicesEnv: SLOW_PAYMENTS,
      customers: 20,
    },
    settleSeconds: 20,
    warmUp: { ratePerSecond: 20, seconds: 1 },
  },
  subscriptions: {
    webSockets: 100,
    sse: 20,
    productsPerWatcher: 5,
    ordersPerSecond: 10,
    seconds: 2,
    settleSeconds: 20,
  },
};
