/** What placeOrder's admission control sees, from the orders service's /metrics, at one moment. */
export interface SagaGauges {
  at: number;
  backlog: number;
  /** How long the backlog would take to finish; null while nothing is known to finish. */
  drain_seconds: number | null;
  finished_per_second: number;
  /** Null while nothing is refused (the capacity not known yet). */
  admission_limit: number | null;
  refusals_total: number;
}

export async function readSagaGauges(ordersBaseUrl: string): Promise<SagaGauges> {
  const text = await (await fetch(`${ordersBaseUrl}/metrics`)).text();
  return parseSagaGauges(text, Date.now());
}

export function parseSagaGauges(metricsText: string, at: number): SagaGauges {
  const value = (name: string) => {
    const match = metricsText.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'));
    if (!match) throw new Error(`the orders service's /metrics has no ${name}`);
    // Prometheus writes Infinity as +Inf (a drain that is never, a limit that refuses nothing).
    return match[1] === '+Inf' ? Infinity : Number(match[1]);
  };
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const drainSeconds = finite(value('orders_saga_drain_seconds'));
  return {
    at,
    backlog: value('orders_saga_backlog'),
    drain_seconds: drainSeconds === null ? null : Math.round(drainSeconds * 10) / 10,
    finished_per_second: Math.round(value('orders_saga_finished_per_second') * 10) / 10,
    admission_limit: finite(value('orders_admission_limit')),
    refusals_total: value('orders_admission_refusals_total'),
  };
}

/** Reads the gauges every `intervalMs` until stopped; a failed read is skipped (the next one comes). */
export function sampleSagaGauges(ordersBaseUrl: string, intervalMs: number): { stop(): Promise<SagaGauges[]> } {
  const samples: SagaGauges[] = [];
  let reading: Promise<void> = Promise.resolve();
  const read = () => {
    reading = readSagaGauges(ordersBaseUrl).then(
      (sample) => void samples.push(sample),
      () => undefined,
    );
  };
  read();
  const timer = setInterval(read, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await reading;
      return samples.sort((a, b) => a.at - b.at);
    },
  };
}
