import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { Pool } from 'undici';
import { PlaceOrderDocument } from '../../client/generated/graphql';
import { callGraphQL, countByCause } from './callGraphQL';

/** Where orders go, and as whom: order i is placed by customer i % tokens.length. */
export interface OrderTarget {
  graphqlUrl: string;
  /** One user token per customer. */
  tokens: string[];
  productIds: string[];
}

/** Connections an offer opens at most: beyond, calls wait for one in the bench (counted as in flight). */
export const OFFER_CONNECTIONS = 256;

/** When each order of an offer is sent, in ms after the offer starts, and how long the offer is meant to last. */
export interface Schedule {
  dueMs: number[];
  seconds: number;
}

/** One placeOrder call: who sent it, when, and whether it was accepted (id) or refused (why). */
export interface OfferedOrder {
  index: number;
  customer: number;
  sentAt: number;
  answeredAt: number;
  id?: string;
  refusal?: string;
}

export interface Offer {
  orders: OfferedOrder[];
  startedAt: number;
  /** From the first order sent to the last one sent (not answered), at least the schedule's length. */
  offeredSeconds: number;
}

export interface OfferOptions {
  /** Print the first refusal of each cause as it happens, to see a cause while the run is still going. */
  logRefusals?: boolean;
  /** Called as each answer comes (a customer following its order, the first refusal). */
  onAnswer?: (order: OfferedOrder) => void;
}

export function steadyRate(ratePerSecond: number, seconds: number): Schedule {
  return rampOf([{ ratePerSecond, seconds }]);
}

/** Every order at the same moment (customers who all click at once). */
export function allAtOnce(orders: number): Schedule {
  return { dueMs: new Array<number>(orders).fill(0), seconds: 0 };
}

/** One steady rate after another. */
export function rampOf(steps: { ratePerSecond: number; seconds: number }[]): Schedule {
  const dueMs: number[] = [];
  let startMs = 0;
  for (const { ratePerSecond, seconds } of steps) {
    const orders = Math.round(ratePerSecond * seconds);
    for (let i = 0; i < orders; i++) dueMs.push(startMs + (i * 1000) / ratePerSecond);
    startMs += seconds * 1000;
  }
  return { dueMs, seconds: startMs / 1000 };
}

/**
 * Open loop: orders go out on the schedule, whether or not earlier ones have
 * been answered or finished, as customers do. Refused or failed calls are
 * counted by cause, never retried.
 */
export async function offerOrders(target: OrderTarget, schedule: Schedule, options: OfferOptions = {}): Promise<Offer> {
  const seen = new Set<string>();
  const orders: OfferedOrder[] = [];
  const inFlight: Promise<void>[] = [];
  const pool = new Pool(new URL(target.graphqlUrl).origin, { connections: OFFER_CONNECTIONS });
  const query = print(PlaceOrderDocument);
  const startedAt = Date.now();
  for (let index = 0; index < schedule.dueMs.length; index++) {
    const wait = startedAt + schedule.dueMs[index] - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const customer = index % target.tokens.length;
    const sentAt = Date.now();
    inFlight.push(
      placeOrder(target, pool, query, index).then((outcome) => {
        const order: OfferedOrder = { index, customer, sentAt, answeredAt: Date.now(), ...outcome };
        orders.push(order);
        if (order.refusal && options.logRefusals && !seen.has(order.refusal)) {
          seen.add(order.refusal);
          console.log(`[bench] placeOrder refused: ${order.refusal}`);
        }
        options.onAnswer?.(order);
      }),
    );
  }
  // The offering window ends with the last order sent, not with its answer.
  const offeredSeconds = Math.max((Date.now() - startedAt) / 1000, schedule.seconds);
  await Promise.all(inFlight);
  await pool.close();
  orders.sort((a, b) => a.index - b.index);
  return { orders, startedAt, offeredSeconds };
}

export function acceptedIds(orders: OfferedOrder[]): string[] {
  return orders.flatMap((order) => (order.id ? [order.id] : []));
}

export function refusalsOf(orders: OfferedOrder[]): { refused: number; refusals: Record<string, number> } {
  const causes = orders.flatMap((order) => (order.refusal ? [order.refusal] : []));
  return { refused: causes.length, refusals: countByCause(causes) };
}

async function placeOrder(
  target: OrderTarget,
  pool: Pool,
  query: string,
  i: number,
): Promise<{ id: string } | { refusal: string }> {
  const product = (k: number) => target.productIds[(i * 7 + k * 13) % target.productIds.length];
  const items = [{ productId: product(0), quantity: 1 }];
  if (i % 2 === 1) items.push({ productId: product(1), quantity: 2 });
  const outcome = await callGraphQL<{ placeOrder?: { id: string } | null }>(
    pool,
    new URL(target.graphqlUrl).pathname,
    target.tokens[i % target.tokens.length],
    JSON.stringify({
      query,
      variables: { input: { items, paymentMethod: { cardToken: 'tok_visa' }, idempotencyKey: randomUUID() } },
    }),
  );
  // An id is an order taken, even beside an error elsewhere in the answer: it will go through the saga.
  const id = outcome.data?.placeOrder?.id;
  return id ? { id } : { refusal: outcome.failure ?? 'no order in the answer' };
}
