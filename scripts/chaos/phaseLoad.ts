import { causeOf, type Outcome } from './GraphQLClient';

export const OPERATION_KINDS = ['placeOrder', 'catalog', 'myOrders', 'cancelOrder'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export interface OperationStats {
  requests: number;
  /** Requests answered with GraphQL errors (refusals included) or not answered at all. */
  errors: number;
  /** Of those, no GraphQL answer: refused connection, reset, timeout, a non-JSON body. */
  transportErrors: number;
  /** Errors by cause: `SERVICE_UNAVAILABLE/unreachable`, `ECONNREFUSED`, ... */
  causes: Record<string, number>;
}

/** What the clients saw during one phase of the schedule. */
export interface PhaseLoad {
  name: string;
  startedAt: number;
  endedAt?: number;
  operations: Record<OperationKind, OperationStats>;
  /** New orders (idempotency keys) first sent in this phase. */
  ordersOffered: number;
  /** Orders whose placeOrder succeeded in this phase (a retry's success counts where it happened). */
  ordersPlaced: number;
  /** placeOrder attempts refused by admission control (SERVICE_UNAVAILABLE, reason saga_backlog). */
  ordersRefused: number;
  /** placeOrder attempts that were retries with the same idempotency key. */
  retries: number;
  /** cancelOrder calls that the orders service accepted. */
  cancels: number;
  /** The most orders seen PENDING or RESERVED at once (sampled every 2 s): the saga's backlog. */
  maxBacklog: number;
}

export function newPhaseLoad(name: string, startedAt = Date.now()): PhaseLoad {
  const operations = Object.fromEntries(
    OPERATION_KINDS.map((kind) => [kind, { requests: 0, errors: 0, transportErrors: 0, causes: {} }]),
  ) as Record<OperationKind, OperationStats>;
  return {
    name,
    startedAt,
    operations,
    ordersOffered: 0,
    ordersPlaced: 0,
    ordersRefused: 0,
    retries: 0,
    cancels: 0,
    maxBacklog: 0,
  };
}

export function recordOutcome(phase: PhaseLoad, kind: OperationKind, outcome: Outcome<unknown>): void {
  const stats = phase.operations[kind];
  stats.requests += 1;
  if (outcome.kind === 'ok') return;
  stats.errors += 1;
  if (outcome.kind === 'transport') stats.transportErrors += 1;
  const cause = causeOf(outcome);
  stats.causes[cause] = (stats.causes[cause] ?? 0) + 1;
}

/** The share of a kind's requests that failed, 0 when there were none. */
export function errorRate(stats: OperationStats): number {
  return stats.requests === 0 ? 0 : stats.errors / stats.requests;
}

/** A refusal by placeOrder's admission control (or the gateway's copy of one). */
export function isSagaBacklogRefusal(outcome: Outcome<unknown>): boolean {
  return outcome.kind === 'graphql' && outcome.code === 'SERVICE_UNAVAILABLE' && outcome.reason === 'saga_backlog';
}
