import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SUBGRAPH_NAMES } from '../../platform/config';

/** The kinds of fault a run can inject, in the order the schedule runs them. */
export const FAULT_KINDS = ['kills', 'nats-node', 'nats-cluster', 'database', 'provider'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Every process a kill phase can take down: each subgraph's two instances, and the gateway. */
export const KILL_TARGETS = [...SUBGRAPH_NAMES.flatMap((name) => [`${name}-1`, `${name}-2`]), 'gateway'];

export interface ChaosSettings {
  mode: 'full' | 'short';
  /** Customers signed up before the load; orders and reads are spread over them. */
  customers: number;
  /** Products with ample stock, and a few scarce ones that sell out, so OUT_OF_STOCK happens too. */
  catalog: { plentiful: number; plentifulStock: number; scarce: number; scarceStock: number };
  load: {
    ordersPerSecond: number;
    catalogPerSecond: number;
    myOrdersPerSecond: number;
    /** Cancels of PAID orders (refunds) per second. */
    cancelsPerSecond: number;
    /** Share of orders paid with tok_decline: they end REJECTED (PAYMENT_DECLINED). */
    declineShare: number;
    /** Share of order lines that ask for a scarce product. */
    scarceShare: number;
  };
  schedule: {
    faults: FaultKind[];
    /** Load without faults before the first one: what the error rates of the faults compare with. */
    baselineSeconds: number;
    /** Load without faults after each fault's recovery, still counted in its phase. */
    quietSeconds: number;
    kills: string[];
    natsNodeDownSeconds: number;
    natsClusterDownSeconds: number;
    outageDatabase: 'inventory' | 'payments';
    databaseOutageSeconds: number;
    providerOutageSeconds: number;
  };
  /** ORDER_DEADLINE of the services: a stuck order ends (REJECTED, TIMED_OUT) within the run. */
  orderDeadline: string;
  /** How long, after the load stopped, orders may take to end before the run checks anyway. */
  drainSeconds: number;
  /** Where the results go as JSON (the test reads them). */
  resultsFile?: string;
  /** Keep the services' log of a run that passed too (one that failed always keeps it). */
  keepLogs: boolean;
}

const FULL: ChaosSettings = {
  mode: 'full',
  customers: 60,
  catalog: { plentiful: 16, plentifulStock: 400, scarce: 4, scarceStock: 25 },
  load: {
    ordersPerSecond: 6,
    catalogPerSecond: 4,
    myOrdersPerSecond: 3,
    cancelsPerSecond: 0.2,
    declineShare: 0.1,
    scarceShare: 0.1,
  },
  schedule: {
    faults: [...FAULT_KINDS],
    baselineSeconds: 20,
    quietSeconds: 8,
    kills: KILL_TARGETS,
    natsNodeDownSeconds: 20,
    natsClusterDownSeconds: 10,
    outageDatabase: 'inventory',
    databaseOutageSeconds: 60,
    providerOutageSeconds: 30,
  },
  orderDeadline: '3m',
  drainSeconds: 240,
  keepLogs: false,
};

/** What `npm test` runs: every kind of fault, shorter and on fewer processes (about 2–3 minutes). */
const SHORT: ChaosSettings = {
  ...FULL,
  mode: 'short',
  customers: 30,
  catalog: { plentiful: 8, plentifulStock: 200, scarce: 2, scarceStock: 10 },
  load: { ...FULL.load, ordersPerSecond: 5, cancelsPerSecond: 0.3 },
  schedule: {
    ...FULL.schedule,
    baselineSeconds: 5,
    quietSeconds: 3,
    // One instance of each subgraph (the first of products and orders: the ones other services call).
    kills: ['users-2', 'products-1', 'inventory-2', 'orders-1', 'payments-1', 'gateway'],
    natsNodeDownSeconds: 10,
    natsClusterDownSeconds: 5,
    databaseOutageSeconds: 20,
    providerOutageSeconds: 15,
  },
  // Back to back, the NATS cluster restart and the database outage hold an order's events for about 45 s;
  // a 1 m deadline timed out dozens of orders and dead-lettered their late events, as the deadline is meant
  // to, which is not what this run checks. 2 m keeps the short run's faults inside the deadline.
  orderDeadline: '2m',
  drainSeconds: 90,
};

const options = z.object({
  short: z.boolean().default(false),
  'orders-per-s': z.coerce.number().positive().max(100).optional(),
  'outage-db': z.enum(['inventory', 'payments']).optional(),
  faults: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const kinds = value.split(',').map((kind) => kind.trim());
      const unknown = kinds.find((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
      if (unknown === undefined) return kinds as FaultKind[];
      ctx.addIssue({ code: 'custom', message: `unknown fault ${unknown} (known: ${FAULT_KINDS.join(', ')})` });
      return z.NEVER;
    }),
  results: z.string().optional(),
  'keep-logs': z.boolean().default(false),
});

/** Thrown for a bad option: one line naming it. */
export class ChaosOptionError extends Error {
  override name = 'ChaosOptionError';
}

/**
 * `--short` (the `npm test` version) or the full run, and a few overrides:
 * `--orders-per-s N`, `--outage-db inventory|payments`, `--faults kills,nats-node,...`
 * (a subset, to work on one), `--results file.json`, `--keep-logs` (also when the run passed).
 */
export function readChaosSettings(argv: string[]): ChaosSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      short: { type: 'boolean' },
      'orders-per-s': { type: 'string' },
      'outage-db': { type: 'string' },
      faults: { type: 'string' },
      results: { type: 'string' },
      'keep-logs': { type: 'boolean' },
    },
  });
  const parsed = options.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ChaosOptionError(`invalid option --${issue.path.join('.')}: ${issue.message}`);
  }
  const o = parsed.data;
  const base = o.short ? SHORT : FULL;
  return {
    ...base,
    load: { ...base.load, ordersPerSecond: o['orders-per-s'] ?? base.load.ordersPerSecond },
    schedule: {
      ...base.schedule,
      faults: o.faults ?? base.schedule.faults,
      outageDatabase: o['outage-db'] ?? base.schedule.outageDatabase,
    },
    resultsFile: o.results,
    keepLogs: o['keep-logs'],
  };
}
