import { Client } from 'pg';

const INTERVAL_MS = 2_000;

/**
 * Reads the saga's backlog (orders PENDING or RESERVED) from the orders
 * database every two seconds: what admission control judges placeOrder by,
 * seen from outside, to explain a phase's refusals. A failed read is skipped.
 * Returns the function that stops it (once; calling it again does nothing).
 */
export async function sampleBacklog(
  ordersDatabaseUrl: string,
  onSample: (backlog: number) => void,
): Promise<() => Promise<void>> {
  const db = new Client({ connectionString: ordersDatabaseUrl });
  await db.connect();
  // A lost connection must not crash the run: the next read fails and is skipped.
  db.on('error', () => undefined);
  let reading = false;
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    db.query(`SELECT count(*)::int AS n FROM orders WHERE status IN ('PENDING', 'RESERVED')`)
      .then(({ rows }) => onSample(rows[0].n as number))
      .catch(() => undefined)
      .finally(() => (reading = false));
  }, INTERVAL_MS);
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    await db.end().catch(() => undefined);
  };
}
