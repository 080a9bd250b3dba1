import type { RunSnapshot } from './readRunSnapshot';

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** What the clients know: the seeded stock, and each order they offered with the ids they got back. */
export interface ClientView {
  products: { id: string; initialStock: number }[];
  orders: { key: string; orderIds: string[] }[];
}

const ENDED = new Set(['PAID', 'REJECTED', 'CANCELLED']);
/** Payments that took money, or may still take it. */
const STANDING = new Set(['PENDING', 'SUCCEEDED']);
const EXAMPLES = 3;

/** The six checks of a chaos run, over what it left behind. */
export function checkInvariants(snapshot: RunSnapshot, client: ClientView): InvariantResult[] {
  return [
    everyOrderEnded(snapshot, client),
    nothingTwice(snapshot, client),
    stockAddsUp(snapshot, client),
    moneyAddsUp(snapshot),
    outboxesEmpty(snapshot),
    noDeadLetters(snapshot),
  ];
}

function everyOrderEnded(snapshot: RunSnapshot, client: ClientView): InvariantResult {
  const count = (status: string) => snapshot.orders.filter((o) => o.status === status).length;
  // A PAID order with a cancel requested still waits for its refund: not ended yet.
  const refunding = snapshot.orders.filter((o) => o.status === 'PAID' && o.cancelRequested).length;
  const known = new Set(snapshot.orders.map((o) => o.id));
  const lost = client.orders.flatMap((o) => o.orderIds).filter((id) => !known.has(id));
  const unfinished = count('PENDING') + count('RESERVED') + refunding;
  const timedOut = snapshot.orders.filter((o) => o.rejectionReason === 'TIMED_OUT').length;
  return result(
    '1 every order taken has ended',
    unfinished === 0 && lost.length === 0,
    `${count('PENDING')} PENDING, ${count('RESERVED')} RESERVED, ${refunding} PAID awaiting refund; ` +
      `${lost.length} taken but unknown to orders; ${timedOut} ended TIMED_OUT`,
  );
}

function nothingTwice(snapshot: RunSnapshot, client: ClientView): InvariantResult {
  const problems: string[] = [];
  const takenMoney = snapshot.payments.filter((p) => p.status === 'SUCCEEDED' || p.status === 'REFUNDED');
  note(problems, 'orders with >1 SUCCEEDED/REFUNDED payment', duplicates(takenMoney.map((p) => p.orderId)));
  const orderOfPayment = new Map(snapshot.payments.map((p) => [p.id, p.orderId]));
  const charges = snapshot.ledger.filter((c) => c.kind === 'charge' && c.outcome === 'succeeded');
  note(
    problems,
    'successful charges for no payment',
    charges.filter((c) => !orderOfPayment.has(c.key)).map((c) => c.key),
  );
  note(
    problems,
    'orders charged more than once',
    duplicates(charges.flatMap((c) => (orderOfPayment.has(c.key) ? [orderOfPayment.get(c.key)!] : []))),
  );
  note(problems, 'orders PAID more than once', snapshot.paidTwice);
  const keyed = snapshot.orders.filter((o) => o.idempotencyKey !== null);
  note(problems, 'idempotency keys with >1 order', duplicates(keyed.map((o) => `${o.userId}/${o.idempotencyKey}`)));
  note(
    problems,
    'keys whose retries got different orders',
    client.orders.filter((o) => o.orderIds.length > 1).map((o) => o.key),
  );
  return result(
    '2 no order PAID, charged or placed twice',
    problems.length === 0,
    problems.join('; ') ||
      `${takenMoney.length} payments took money, ${charges.length} charges, ${keyed.length} keyed orders`,
  );
}

/** initial = available + reserved + sold per product; and no ended order still holds reserved units. */
function stockAddsUp(snapshot: RunSnapshot, client: ClientView): InvariantResult {
  const units = (productId: string, status: string) =>
    snapshot.reservations
      .filter((r) => r.productId === productId && r.status === status)
      .reduce((sum, r) => sum + r.quantity, 0);
  const totals = { initial: 0, available: 0, reserved: 0, sold: 0 };
  const wrong: string[] = [];
  for (const product of client.products) {
    const stock = snapshot.stock.find((s) => s.productId === product.id);
    if (!stock) {
      wrong.push(`${product.id}: no stock row`);
      continue;
    }
    const available = stock.onHand - stock.reserved;
    const reserved = units(product.id, 'RESERVED');
    const sold = units(product.id, 'COMMITTED');
    totals.initial += product.initialStock;
    totals.available += available;
    totals.reserved += reserved;
    totals.sold += sold;
    if (product.initialStock !== available + reserved + sold) {
      wrong.push(`${product.id}: ${product.initialStock} != ${available} + ${reserved} + ${sold}`);
    }
  }
  const ended = new Set(snapshot.orders.filter((o) => ENDED.has(o.status)).map((o) => o.id));
  const stuck = [
    ...new Set(
      snapshot.reservations.filter((r) => r.status === 'RESERVED' && ended.has(r.orderId)).map((r) => r.orderId),
    ),
  ];
  const problems: string[] = [];
  note(problems, 'products off', wrong);
  note(problems, 'ended orders still holding reserved units', stuck);
  return result(
    '3 initial = available + reserved + sold',
    problems.length === 0,
    `${totals.initial} = ${totals.available} + ${totals.reserved} + ${totals.sold}` +
      (problems.length > 0 ? `; ${problems.join('; ')}` : ''),
  );
}

function moneyAddsUp(snapshot: RunSnapshot): InvariantResult {
  const sum = (amounts: number[]) => amounts.reduce((total, amount) => total + amount, 0);
  const charged = sum(
    snapshot.ledger.filter((c) => c.kind === 'charge' && c.outcome === 'succeeded').map((c) => c.amountCents),
  );
  const refunded = sum(snapshot.ledger.filter((c) => c.kind === 'refund').map((c) => c.amountCents));
  const succeeded = sum(snapshot.payments.filter((p) => p.status === 'SUCCEEDED').map((p) => p.amountCents));
  const paid = sum(snapshot.orders.filter((o) => o.status === 'PAID').map((o) => o.totalCents));
  const orders = new Map(snapshot.orders.map((o) => [o.id, o]));
  const problems: string[] = [];
  const succeededOf = (orderId: string) =>
    snapshot.payments.filter((p) => p.orderId === orderId && p.status === 'SUCCEEDED');
  note(
    problems,
    'PAID orders without exactly one SUCCEEDED payment of their total',
    snapshot.orders
      .filter((o) => o.status === 'PAID')
      .filter((o) => {
        const payments = succeededOf(o.id);
        return payments.length !== 1 || payments[0].amountCents !== o.totalCents;
      })
      .map((o) => o.id),
  );
  note(
    problems,
    'REJECTED/CANCELLED orders with a payment left standing',
    snapshot.payments
      .filter((p) => STANDING.has(p.status) && ['REJECTED', 'CANCELLED'].includes(orders.get(p.orderId)?.status ?? ''))
      .map((p) => p.orderId),
  );
  note(
    problems,
    'SUCCEEDED payments of an order not PAID',
    snapshot.payments
      .filter((p) => p.status === 'SUCCEEDED' && orders.get(p.orderId)?.status !== 'PAID')
      .map((p) => p.orderId),
  );
  const balanced = charged - refunded === succeeded && succeeded === paid;
  return result(
    '4 money: charged - refunded = SUCCEEDED = PAID',
    balanced && problems.length === 0,
    `provider ${charged} - ${refunded} = ${charged - refunded}; payments SUCCEEDED ${succeeded}; orders PAID ${paid}` +
      (problems.length > 0 ? `; ${problems.join('; ')}` : ''),
  );
}

function outboxesEmpty(snapshot: RunSnapshot): InvariantResult {
  const pending = Object.entries(snapshot.outboxPending).filter(([, n]) => n !== null);
  return result(
    '5 every outbox empty',
    pending.every(([, n]) => n === 0),
    pending.map(([name, n]) => `${name} ${n}`).join(', '),
  );
}

function noDeadLetters(snapshot: RunSnapshot): InvariantResult {
  const { count, samples } = snapshot.deadLetters;
  const shown = samples.map((s) => `${s.subject} (${s.consumer ?? '?'}: ${s.reason ?? '?'})`).join('; ');
  return result('6 no dead letters', count === 0, count === 0 ? '0' : `${count}, e.g. ${shown}`);
}

function result(name: string, ok: boolean, detail: string): InvariantResult {
  return { name, ok, detail };
}

/** Adds "what: n (e.g. a, b, c)" when there is any. */
function note(problems: string[], what: string, ids: string[]): void {
  if (ids.length === 0) return;
  problems.push(`${what}: ${ids.length} (e.g. ${ids.slice(0, EXAMPLES).join(', ')})`);
}

function duplicates(values: string[]): string[] {
  const seen = new Map<string, number>();
  for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([value]) => value);
}
