import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { SubgraphName } from '../../platform/config';
import { databaseUrl } from '../../platform/db/database';
import { isUuid } from '../../platform/graphql/ids';
import { ReservationStatus } from '../../subgraphs/inventory/domain/ReservationStatus';
import { OrderStatus } from '../../subgraphs/orders/domain/OrderStatus';
import {
  normaliseLines,
  priceLines,
  requestFingerprint,
  type CatalogEntry,
  type PricedOrder,
} from '../../subgraphs/orders/domain/orderLines';
import { PaymentStatus } from '../../subgraphs/payments/domain/PaymentStatus';
import { hashPassword } from '../../subgraphs/users/domain/passwords';

export interface BenchData {
  user: { id: string; email: string; password: string };
  productIds: string[];
  users: number;
  orders: number;
}

export interface SeedBenchOptions {
  /** DATABASE_URL of the running supergraph: its Postgres server. */
  serverUrl: string;
  /** DB_PREFIX of the running supergraph: its databases are `${dbPrefix}_<subgraph>`. */
  dbPrefix: string;
  products?: number;
  users?: number;
  orders?: number;
}

export const BENCH_PASSWORD = 'bench-password-123';
const CURRENCY = 'USD';
/** A test card the simulated provider accepts (contract/api.graphql, PaymentMethodInput). */
const CARD_TOKEN = 'tok_visa';
/** What each product has left to order after the seeded sales: a bench run does not sell out. */
export const AVAILABLE_PER_PRODUCT = 100_000;
const HISTORY_DAYS = 30;
const DAY_MS = 86_400_000;
/** When the saga moved a seeded order on, after it was placed: about as fast as the real one. */
const RESERVED_AFTER_MS = 40;
const PAID_AFTER_MS = 120;

interface Plan {
  products: { id: string; sku: string; name: string; description: string; priceCents: number }[];
  users: { id: string; email: string; name: string }[];
  orders: PlannedOrder[];
  /** Users and products exist before the first order. */
  createdAt: Date;
}

interface PlannedOrder extends PricedOrder {
  id: string;
  userId: string;
  requestHash: string;
  paymentId: string;
  providerRef: string;
  placedAt: Date;
  reservedAt: Date;
  paidAt: Date;
}

/**
 * Fills the (migrated, empty) databases of a running supergraph with a benchmark
 * data set, straight through SQL: products with stock, CUSTOMERs who can log in
 * with BENCH_PASSWORD, and PAID orders with what each service would have stored
 * for them (history, payment intent, SUCCEEDED payment and its provider ledger
 * row, COMMITTED reservations). One transaction per database, committed only
 * once all five have written: a failure leaves every database as it was.
 */
export async function seedBenchData(options: SeedBenchOptions): Promise<BenchData> {
  const counts = {
    products: count(options.products ?? 1_000, 'products', 1),
    users: count(options.users ?? 200, 'users', 1),
    orders: count(options.orders ?? 5_000, 'orders', 0),
  };
  const plan = planBenchData(counts, Date.now());
  // The users service's own scheme: one hash (the salt shared by all) makes every bench user able to log in.
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  await inTransactions(options, {
    users: (db) => writeUsers(db, plan, passwordHash),
    products: (db) => writeProducts(db, plan),
    inventory: (db) => writeInventory(db, plan),
    orders: (db) => writeOrders(db, plan),
    payments: (db) => writePayments(db, plan),
  });
  const [first] = plan.users;
  return {
    user: { id: first.id, email: first.email, password: BENCH_PASSWORD },
    productIds: plan.products.map((p) => p.id),
    users: plan.users.length,
    orders: plan.orders.length,
  };
}

function count(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`seedBenchData: ${name} must be an integer >= ${min}`);
  return value;
}

/**
 * Orders go round the users (each gets orders/users of them), evenly spread
 * over the last HISTORY_DAYS, with 1 to 3 lines of distinct products. Lines
 * and totals come from orders' own domain, as placeOrder makes them.
 */
function planBenchData(counts: { products: number; users: number; orders: number }, now: number): Plan {
  const random = mulberry32(20_251_201);
  const windowStart = now - HISTORY_DAYS * DAY_MS;
  const products = Array.from({ length: counts.products }, (_, i) => {
    const n = String(i + 1).padStart(6, '0');
    return {
      id: randomUUID(),
      sku: `BENCH-${n}`,
      name: `Bench product ${n}`,
      description: `Benchmark product number ${i + 1}, seeded for load tests.`,
      priceCents: 199 + Math.floor(random() * 19_800),
    };
  });
  const catalog = new Map<string, CatalogEntry>(
    products.map((p) => [p.id, { name: p.name, priceCents: p.priceCents, currency: CURRENCY }]),
  );
  const users = Array.from({ length: counts.users }, (_, i) => ({
    id: randomUUID(),
    email: `bench-user-${i + 1}@example.com`,
    name: `Bench user ${i + 1}`,
  }));
  const orders = Array.from({ length: counts.orders }, (_, i): PlannedOrder => {
    const lineCount = Math.min(1 + Math.floor(random() * 3), products.length);
    const picked = new Set<number>();
    while (picked.size < lineCount) picked.add(Math.floor(random() * products.length));
    const requested = [...picked].map((p) => ({ productId: products[p].id, quantity: 1 + Math.floor(random() * 3) }));
    const lines = normaliseLines(requested, isUuid);
    const placed = Math.floor(windowStart + ((i + 0.5) * HISTORY_DAYS * DAY_MS) / counts.orders);
    return {
      ...priceLines(lines, catalog),
      id: randomUUID(),
      userId: users[i % users.length].id,
      requestHash: requestFingerprint(lines, CARD_TOKEN),
      paymentId: randomUUID(),
      providerRef: `sim_ch_${randomUUID()}`,
      placedAt: new Date(placed),
      reservedAt: new Date(placed + RESERVED_AFTER_MS),
      paidAt: new Date(placed + PAID_AFTER_MS),
    };
  });
  return { products, users, orders, createdAt: new Date(windowStart - DAY_MS) };
}

async function writeUsers(db: Client, plan: Plan, passwordHash: string): Promise<void> {
  const { users } = plan;
  await insertColumns(db, 'users', [
    ['id', 'uuid', users.map((u) => u.id)],
    ['email', 'text', users.map((u) => u.email)],
    ['name', 'text', users.map((u) => u.name)],
    ['role', 'text', users.map(() => 'CUSTOMER')],
    ['active', 'boolean', users.map(() => true)],
    ['password_hash', 'text', users.map(() => passwordHash)],
    ['created_at', 'timestamptz', users.map(() => plan.createdAt)],
  ]);
}

async function writeProducts(db: Client, plan: Plan): Promise<void> {
  const { products } = plan;
  await insertColumns(db, 'products', [
    ['id', 'uuid', products.map((p) => p.id)],
    ['sku', 'text', products.map((p) => p.sku)],
    ['name', 'text', products.map((p) => p.name)],
    ['description', 'text', products.map((p) => p.description)],
    ['price_cents', 'int', products.map((p) => p.priceCents)],
    ['currency', 'text', products.map(() => CURRENCY)],
    ['created_at', 'timestamptz', products.map(() => plan.createdAt)],
  ]);
}

/**
 * A paid order's lines are COMMITTED: their units left on_hand and reserved
 * went back to 0 (reservationTransitions.ts, SELL). Each product was stocked
 * with AVAILABLE_PER_PRODUCT + what it sold, so that much is left to order.
 */
async function writeInventory(db: Client, plan: Plan): Promise<void> {
  const lines = plan.orders.flatMap((o) => o.lines.map((line) => ({ order: o, line })));
  await insertColumns(db, 'stock', [
    ['product_id', 'uuid', plan.products.map((p) => p.id)],
    ['on_hand', 'int', plan.products.map(() => AVAILABLE_PER_PRODUCT)],
    ['reserved', 'int', plan.products.map(() => 0)],
  ]);
  await insertColumns(db, 'reservations', [
    ['order_id', 'uuid', lines.map(({ order }) => order.id)],
    ['product_id', 'uuid', lines.map(({ line }) => line.productId)],
    ['quantity', 'int', lines.map(({ line }) => line.quantity)],
    ['status', 'text', lines.map(() => ReservationStatus.COMMITTED)],
    ['created_at', 'timestamptz', lines.map(({ order }) => order.placedAt)],
    ['updated_at', 'timestamptz', lines.map(({ order }) => order.paidAt)],
  ]);
}

/** As OrderRepository leaves a paid order: version 3 after two moves, history PENDING -> RESERVED -> PAID. */
async function writeOrders(db: Client, plan: Plan): Promise<void> {
  const { orders } = plan;
  await insertColumns(db, 'orders', [
    ['id', 'uuid', orders.map((o) => o.id)],
    ['user_id', 'uuid', orders.map((o) => o.userId)],
    ['status', 'text', orders.map(() => OrderStatus.PAID)],
    ['total_cents', 'int', orders.map((o) => o.totalCents)],
    ['currency', 'text', orders.map((o) => o.currency)],
    ['request_hash', 'text', orders.map((o) => o.requestHash)],
    ['version', 'int', orders.map(() => 3)],
    ['created_at', 'timestamptz', orders.map((o) => o.placedAt)],
    ['updated_at', 'timestamptz', orders.map((o) => o.paidAt)],
  ]);
  const lines = orders.flatMap((o) => o.lines.map((line, i) => ({ orderId: o.id, lineNo: i + 1, ...line })));
  await insertColumns(db, 'order_items', [
    ['order_id', 'uuid', lines.map((l) => l.orderId)],
    ['line_no', 'int', lines.map((l) => l.lineNo)],
    ['product_id', 'uuid', lines.map((l) => l.productId)],
    ['product_name', 'text', lines.map((l) => l.productName)],
    ['quantity', 'int', lines.map((l) => l.quantity)],
    ['unit_price_cents', 'int', lines.map((l) => l.unitPriceCents)],
  ]);
  const history = orders.flatMap((o) => [
    { orderId: o.id, seq: 1, status: OrderStatus.PENDING, at: o.placedAt },
    { orderId: o.id, seq: 2, status: OrderStatus.RESERVED, at: o.reservedAt },
    { orderId: o.id, seq: 3, status: OrderStatus.PAID, at: o.paidAt },
  ]);
  await insertColumns(db, 'order_status_history', [
    ['order_id', 'uuid', history.map((h) => h.orderId)],
    ['seq', 'int', history.map((h) => h.seq)],
    ['status', 'text', history.map((h) => h.status)],
    ['at', 'timestamptz', history.map((h) => h.at)],
  ]);
}

/**
 * What the saga leaves in payments for a paid order: the intent orders.placed
 * recorded, the SUCCEEDED payment (created PENDING when stock was reserved),
 * and the simulated provider's ledger row of the charge, keyed by the payment id.
 */
async function writePayments(db: Client, plan: Plan): Promise<void> {
  const { orders } = plan;
  await insertColumns(db, 'payment_intents', [
    ['order_id', 'uuid', orders.map((o) => o.id)],
    ['user_id', 'uuid', orders.map((o) => o.userId)],
    ['amount_cents', 'int', orders.map((o) => o.totalCents)],
    ['currency', 'text', orders.map((o) => o.currency)],
    ['card_token', 'text', orders.map(() => CARD_TOKEN)],
    ['created_at', 'timestamptz', orders.map((o) => o.placedAt)],
  ]);
  await insertColumns(db, 'payments', [
    ['id', 'uuid', orders.map((o) => o.paymentId)],
    ['order_id', 'uuid', orders.map((o) => o.id)],
    ['user_id', 'uuid', orders.map((o) => o.userId)],
    ['amount_cents', 'int', orders.map((o) => o.totalCents)],
    ['currency', 'text', orders.map((o) => o.currency)],
    ['status', 'text', orders.map(() => PaymentStatus.SUCCEEDED)],
    ['provider_ref', 'text', orders.map((o) => o.providerRef)],
    ['created_at', 'timestamptz', orders.map((o) => o.reservedAt)],
    ['updated_at', 'timestamptz', orders.map((o) => o.paidAt)],
  ]);
  await insertColumns(db, 'provider_charges', [
    ['idempotency_key', 'text', orders.map((o) => o.paymentId)],
    ['kind', 'text', orders.map(() => 'charge')],
    ['outcome', 'text', orders.map(() => 'succeeded')],
    ['provider_ref', 'text', orders.map((o) => o.providerRef)],
    ['amount_cents', 'int', orders.map((o) => o.totalCents)],
    ['currency', 'text', orders.map((o) => o.currency)],
    ['created_at', 'timestamptz', orders.map((o) => o.reservedAt)],
  ]);
}

type Column = [name: string, type: string, values: unknown[]];

/** All rows in one statement: each column travels as one array parameter, unnest turns them into rows. */
async function insertColumns(db: Client, table: string, columns: Column[]): Promise<void> {
  const names = columns.map(([name]) => name).join(', ');
  const arrays = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  await db.query(
    `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})`,
    columns.map(([, , values]) => values),
  );
}

type Writers = Record<SubgraphName, (db: Client) => Promise<void>>;

/** Writes every database in its own transaction and commits them only when all writes succeeded. */
async function inTransactions(options: SeedBenchOptions, writers: Writers): Promise<void> {
  const names = Object.keys(writers) as SubgraphName[];
  const clients = names.map(
    (name) => new Client({ connectionString: databaseUrl(options.serverUrl, `${options.dbPrefix}_${name}`) }),
  );
  try {
    await Promise.all(clients.map((db) => db.connect()));
    await Promise.all(clients.map((db) => db.query('BEGIN')));
    try {
      await Promise.all(names.map((name, i) => writers[name](clients[i])));
    } catch (error) {
      await Promise.all(clients.map((db) => db.query('ROLLBACK').catch(() => undefined)));
      // 23505: a bench user's email or product's sku is taken, most likely by an earlier seed.
      if ((error as { code?: string }).code === '23505') {
        throw new Error(`seedBenchData: the databases must be empty of bench data (${(error as Error).message})`, {
          cause: error,
        });
      }
      throw error;
    }
    await Promise.all(clients.map((db) => db.query('COMMIT')));
  } finally {
    await Promise.all(clients.map((db) => db.end().catch(() => undefined)));
  }
}

/** A small seeded PRNG: the same counts give the same shape of data (only the ids differ). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
