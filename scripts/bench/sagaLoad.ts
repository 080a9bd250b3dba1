import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { Client } from 'pg';
import { Pool } from 'undici';
import { PlaceOrderDocument } from '../../client/generated/graphql';

export interface SagaLoadSpec {
  graphqlUrl: string;
  /** User tokens the orders are spread over. */
  tokens: string[];
  productIds: string[];
  ratePerSecond: number;
  seconds: number;
  /** The orders database, where each order's PENDING and PAID times are recorded. */
  ordersDatabaseUrl: string;
  /** How long to wait after the last order was offered for the saga to finish them. */
  settleSeconds: number;
}

export interface SagaResult {
  offered_per_s: number;
  accepted: number;
  refused: number;
  completed_per_s: number;
  p50_ms: number;
  p99_ms: number;
  unfinished: number;
  /** Refused placeOrder calls by cause: `HTTP <status> <code>: <message>` or the transport error. */
  refusals: Record<string, number>;
  /** The warm-up before the measured window (see warmUpSaga), if any: not in the figures above. */
  warm_up?: { offered_per_s: number; seconds: number };
}

/**
 * The order saga under a fixed offered load (open loop: orders go out on a
 * schedule, whether or not earlier ones have finished), then how fast they
 * became PAID, measured from the orders database's own status history
 * (PENDING -> PAID), so the bench's polling does not slow the saga down.
 */
export async function runSagaLoad(spec: SagaLoadSpec): Promise<SagaResult> {
  const { ids, refused, refusals, offeredSeconds } = await offerOrders(spec, spec.ratePerSecond, spec.seconds, true);
  const total = Math.round(spec.ratePerSecond * spec.seconds);

  const db = new Client({ connectionString: spec.ordersDatabaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + spec.settleSeconds * 1000;
    let unfinished = ids.length;
    while (unfinished > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      unfinished = await unfinishedOf(db, ids);
    }
    const { rows } = await db.query<{ ms: string; pending: Date; done: Date }>(
      `SELECT extract(epoch FROM (paid.at - pending.at)) * 1000 AS ms, pending.at AS pending, paid.at AS done
         FROM order_status_history pending
         JOIN order_status_history paid ON paid.order_id = pending.order_id AND paid.status = 'PAID'
        WHERE pending.order_id = ANY($1::uuid[]) AND pending.status = 'PENDING'`,
      [ids],
    );
    const latencies = rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
    const first = Math.min(...rows.map((row) => row.pending.getTime()));
    const last = Math.max(...rows.map((row) => row.done.getTime()));
    return {
      offered_per_s: round(total / offeredSeconds),
      accepted: ids.length,
      refused,
      completed_per_s: rows.length > 0 ? round(rows.length / Math.max((last - first) / 1000, 0.001)) : 0,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      unfinished,
      refusals,
    };
  } finally {
    await db.end();
  }
}

/**
 * Before the measured window: a few seconds at a low rate, waited for until
 * every order finished, so the window measures the saga and not the first
 * calls of each code path (the JIT, pools growing, statements prepared).
 */
export async function warmUpSaga(
  spec: SagaLoadSpec,
  ratePerSecond: number,
  seconds: number,
): Promise<{ accepted: number; refused: number; unfinished: number }> {
  const { ids, refused } = await offerOrders(spec, ratePerSecond, seconds, false);
  const db = new Client({ connectionString: spec.ordersDatabaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + spec.settleSeconds * 1000;
    let unfinished = await unfinishedOf(db, ids);
    while (unfinished > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      unfinished = await unfinishedOf(db, ids);
    }
    return { accepted: ids.length, refused, unfinished };
  } finally {
    await db.end();
  }
}

/** Open loop: orders go out on a schedule, whether or not earlier ones have finished. */
async function offerOrders(spec: SagaLoadSpec, ratePerSecond: number, seconds: number, report: boolean) {
  const total = Math.round(ratePerSecond * seconds);
  const ids: string[] = [];
  let refused = 0;
  const refusals: Record<string, number> = {};
  const refuse = (reason: string) => {
    refused += 1;
    // The first of each kind is printed as it happens, to see a cause while the run is still going.
    if (report && !refusals[reason]) console.log(`[bench] placeOrder refused: ${reason}`);
    refusals[reason] = (refusals[reason] ?? 0) + 1;
  };
  const inFlight: Promise<void>[] = [];
  // undici's own request on a keep-alive pool: a lighter client than fetch, which shares the 2 cores with the saga.
  const pool = new Pool(new URL(spec.graphqlUrl).origin, { connections: 256 });
  const query = print(PlaceOrderDocument);
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      placeOrder(spec, pool, query, i).then(
        (outcome) => void ('id' in outcome ? ids.push(outcome.id) : refuse(outcome.refusal)),
        (error: Error) => refuse(`${error.name}: ${errorCause(error)}`),
      ),
    );
  }
  // The offering window ends with the last order sent, not with its answer.
  const offeredSeconds = Math.max((Date.now() - started) / 1000, total / ratePerSecond);
  await Promise.all(inFlight);
  await pool.close();
  return { ids, refused, refusals, offeredSeconds };
}

async function unfinishedOf(db: Client, ids: string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM orders WHERE id = ANY($1::uuid[]) AND status IN ('PENDING', 'RESERVED')`,
    [ids],
  );
  return Number(rows[0].n);
}

async function placeOrder(
  spec: SagaLoadSpec,
  pool: Pool,
  query: string,
  i: number,
): Promise<{ id: string } | { refusal: string }> {
  const product = (k: number) => spec.productIds[(i * 7 + k * 13) % spec.productIds.length];
  const items = [{ productId: product(0), quantity: 1 }];
  if (i % 2 === 1) items.push({ productId: product(1), quantity: 2 });
  const response = await pool.request({
    method: 'POST',
    path: new URL(spec.graphqlUrl).pathname,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${spec.tokens[i % spec.tokens.length]}` },
    body: JSON.stringify({
      query,
      variables: { input: { items, paymentMethod: { cardToken: 'tok_visa' }, idempotencyKey: randomUUID() } },
    }),
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const text = await response.body.text();
  let body: { data?: { placeOrder?: { id: string } }; errors?: { message?: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { refusal: `HTTP ${response.statusCode}: ${text.slice(0, 120)}` };
  }
  const id = body.data?.placeOrder?.id;
  if (id) return { id };
  const error = body.errors?.[0];
  return {
    refusal: `HTTP ${response.statusCode} ${error?.extensions?.code ?? '-'}: ${(error?.message ?? '').slice(0, 120)}`,
  };
}

const REQUEST_TIMEOUT_MS = 30_000;

/** undici names the transport error in `code`; a wrapped one carries it in `cause`. */
function errorCause(error: Error): string {
  const { code, cause } = error as { code?: string; cause?: { code?: string; message?: string } };
  if (cause) return `${error.message} (${cause.code ?? cause.message})`;
  return code ? `${error.message} (${code})` : error.message;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
