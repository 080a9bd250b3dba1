import { logInUsers, OURS_ENV, startBenchSession, type BenchSession } from './benchSession';
import { runFlashSale, type FlashSaleResult } from './flashSale';
import { runSagaRamp, type RampResult, type RampSpec } from './sagaRamp';
import { SagaHistory } from './SagaHistory';
import { warmUpSaga } from './sagaLoad';
import { runSteadyWithPolling, type SteadyResult, type SteadySpec } from './steadyWithPolling';

export interface SagaScenarioSettings {
  flashSale: { customers: number };
  steady: SteadySpec;
  steadyFastPolling: SteadySpec;
  ramp: RampSpec & { customers: number };
  /** How long each scenario waits for its accepted orders to end. */
  settleSeconds: number;
  warmUp: { ratePerSecond: number; seconds: number };
}

export interface SagaScenarios {
  flash_sale: FlashSaleResult;
  steady: SteadyResult;
  steady_fast_polling: SteadyResult;
  ramp: RampResult;
}

type Log = (message: string) => void;

/** How many user tokens the scenarios on the shop's own services need. */
export function shopScenarioCustomers(settings: SagaScenarioSettings): number {
  return Math.max(settings.flashSale.customers, settings.steady.customers, settings.steadyFastPolling.customers);
}

/**
 * The flash sale and the steady rates, on the bench's services as shipped
 * (our gateway running), each begun on an idle saga after a warm-up.
 */
export async function runShopScenarios(
  session: BenchSession,
  tokens: string[],
  settings: SagaScenarioSettings,
  log: Log,
): Promise<Omit<SagaScenarios, 'ramp'>> {
  const target = { graphqlUrl: session.graphqlUrl, tokens, productIds: session.seeded.productIds };
  const history = await SagaHistory.open(session.ordersDatabaseUrl);
  try {
    await warmUp(session, tokens, settings, history, log);
    const flashSale = await runFlashSale(
      { ...target, tokens: tokens.slice(0, settings.flashSale.customers) },
      history,
      settings.settleSeconds,
    );
    log(`flash sale: ${JSON.stringify(flashSale)}`);
    await idle(history, settings, log);
    const steady = await runSteadyWithPolling(target, history, settings.steady, settings.settleSeconds);
    log(`steady with polling: ${JSON.stringify(steady)}`);
    await idle(history, settings, log);
    const fast = await runSteadyWithPolling(target, history, settings.steadyFastPolling, settings.settleSeconds);
    log(`steady with fast polling: ${JSON.stringify(fast)}`);
    return { flash_sale: flashSale, steady, steady_fast_polling: fast };
  } finally {
    await history.close();
  }
}

/**
 * The ramp, on services of its own: the orders service runs with
 * SAGA_MAX_DRAIN_SECONDS = `settings.ramp.maxDrainSeconds`, lower than the
 * default, so that a ramp of a minute or so reaches the refusals, and the
 * payment provider is slow (`servicesEnv`): on this machine placeOrder's own
 * CPU otherwise limits the shop before the saga does, the queue forms in
 * front of placeOrder, and the saga's backlog never shows a knee.
 */
export async function runRampScenario(settings: SagaScenarioSettings, log: Log): Promise<RampResult> {
  const { ramp } = settings;
  const servicesEnv = { SAGA_MAX_DRAIN_SECONDS: String(ramp.maxDrainSeconds), ...ramp.servicesEnv };
  log(`ramp: its own services, ${JSON.stringify(servicesEnv)}`);
  const session = await startBenchSession(log, servicesEnv);
  try {
    const gateway = await session.subgraphs.startGateway('ours', OURS_ENV);
    const history = await SagaHistory.open(session.ordersDatabaseUrl);
    try {
      const tokens = await logInUsers(session, ramp.customers);
      await warmUp(session, tokens, settings, history, log);
      const target = { graphqlUrl: session.graphqlUrl, tokens, productIds: session.seeded.productIds };
      const result = await runSagaRamp(target, history, session.subgraphs.baseUrl.orders, ramp, settings.settleSeconds);
      const { timeline, ...totals } = result;
      log(`ramp: ${JSON.stringify(totals)}`);
      for (const slice of timeline) log(`ramp ${slice.from_s}-${slice.to_s} s: ${JSON.stringify(slice)}`);
      return result;
    } finally {
      await history.close();
      await gateway.stop();
    }
  } finally {
    await session.stop();
  }
}

async function warmUp(
  session: BenchSession,
  tokens: string[],
  settings: SagaScenarioSettings,
  history: SagaHistory,
  log: Log,
): Promise<void> {
  await idle(history, settings, log);
  const target = {
    graphqlUrl: session.graphqlUrl,
    tokens,
    productIds: session.seeded.productIds,
    ordersDatabaseUrl: session.ordersDatabaseUrl,
    settleSeconds: settings.settleSeconds,
  };
  const warmed = await warmUpSaga(target, settings.warmUp.ratePerSecond, settings.warmUp.seconds);
  log(`scenario warm-up (not counted): ${JSON.stringify(warmed)}`);
}

/** A scenario begins with nothing left of the one before, so that it measures itself only. */
async function idle(history: SagaHistory, settings: SagaScenarioSettings, log: Log): Promise<void> {
  const unfinished = await history.waitUntilEnded(undefined, settings.settleSeconds);
  // Said, not thrown: the scenario's own figures (its unfinished orders) show what it means.
  if (unfinished > 0) log(`${unfinished} orders of the shop still unfinished after ${settings.settleSeconds} s`);
}
