import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  CancelOrderDocument,
  CatalogPageDocument,
  MyOrdersDocument,
  MyOrdersWithItemsDocument,
  PlaceOrderDocument,
} from '../../client/generated/graphql';
import type { ChaosSettings } from './chaosSettings';
import { causeOf, type GraphQLClient, type Outcome } from './GraphQLClient';
import { isSagaBacklogRefusal, newPhaseLoad, recordOutcome, type OperationKind, type PhaseLoad } from './phaseLoad';
import type { ChaosCustomer, ChaosData } from './seedChaosData';

/** One order a customer tried to place, under one idempotency key, with everything it got back. */
export interface OfferedOrder {
  key: string;
  customer: ChaosCustomer;
  /** Distinct order ids the retries returned: more than one is an order placed twice. */
  orderIds: string[];
  attempts: number;
  end?: 'taken' | 'refused' | 'failed' | 'error';
  lastCause?: string;
}

/** A real client's retry of a placeOrder it got no answer or SERVICE_UNAVAILABLE for. */
const RETRY = { firstDelayMs: 500, maxAttempts: 6, budgetMs: 30_000 };

/**
 * The run's steady load, open loop (each stream fires on its own schedule,
 * whether or not earlier requests have finished): placeOrder from many
 * customers, each with an idempotency key that its retries reuse; some with
 * tok_decline; cancels of PAID orders; catalog and "my orders" reads. Every
 * request is counted in the phase it was sent in.
 */
export class ChaosLoad {
  readonly phases: PhaseLoad[] = [];
  readonly orders: OfferedOrder[] = [];
  private phase: PhaseLoad;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly cancelled = new Set<string>();
  private readonly plentiful: string[];
  private readonly scarce: string[];

  constructor(
    private readonly client: GraphQLClient,
    private readonly data: ChaosData,
    private readonly settings: ChaosSettings['load'],
    private readonly random: () => number = Math.random,
  ) {
    this.phase = newPhaseLoad('start-up');
    this.plentiful = data.products.filter((p) => !p.scarce).map((p) => p.id);
    this.scarce = data.products.filter((p) => p.scarce).map((p) => p.id);
  }

  /** Requests sent from now on count in a phase of this name. */
  enterPhase(name: string): PhaseLoad {
    this.phase.endedAt = Date.now();
    this.phase = newPhaseLoad(name);
    this.phases.push(this.phase);
    return this.phase;
  }

  /** A reading of the saga's backlog, kept as the current phase's highest. */
  noteBacklog(backlog: number): void {
    this.phase.maxBacklog = Math.max(this.phase.maxBacklog, backlog);
  }

  start(): void {
    const { ordersPerSecond, catalogPerSecond, myOrdersPerSecond, cancelsPerSecond } = this.settings;
    this.every(ordersPerSecond, () => this.placeOrder());
    this.every(catalogPerSecond, () => this.readCatalog());
    this.every(myOrdersPerSecond, () => this.readMyOrders());
    this.every(cancelsPerSecond, () => this.cancelPaidOrder());
  }

  /** Sends nothing new; waits for what is in flight, retries included (bounded by RETRY.budgetMs). */
  async stop(): Promise<void> {
    this.halt();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.phase.endedAt = Date.now();
  }

  /** Sends nothing new, at once (a run that is being aborted). */
  halt(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  private every(ratePerSecond: number, send: () => Promise<void>): void {
    if (ratePerSecond <= 0) return;
    const timer = setInterval(() => {
      const request = send()
        // Outcomes are counted inside; anything else is a bug of the load itself, to be seen.
        .catch((error: Error) => console.error(`[chaos] load error: ${error.stack ?? error.message}`))
        .finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }, 1000 / ratePerSecond);
    this.timers.push(timer);
  }

  private async placeOrder(): Promise<void> {
    const order: OfferedOrder = {
      key: randomUUID(),
      customer: this.pick(this.data.customers),
      orderIds: [],
      attempts: 0,
    };
    this.orders.push(order);
    this.phase.ordersOffered += 1;
    const input = {
      items: this.orderLines(),
      paymentMethod: { cardToken: this.random() < this.settings.declineShare ? 'tok_decline' : 'tok_visa' },
      idempotencyKey: order.key,
    };
    const firstAt = Date.now();
    for (;;) {
      const phase = this.phase;
      if (order.attempts > 0) phase.retries += 1;
      order.attempts += 1;
      const outcome = await this.send('placeOrder', phase, PlaceOrderDocument, { input }, order.customer.token);
      if (outcome.kind === 'ok') {
        const id = outcome.data.placeOrder.id;
        if (!order.orderIds.includes(id)) order.orderIds.push(id);
        if (order.end !== 'taken') phase.ordersPlaced += 1;
        order.end = 'taken';
        return;
      }
      order.lastCause = causeOf(outcome);
      const refused = isSagaBacklogRefusal(outcome);
      if (refused) phase.ordersRefused += 1;
      const retryable =
        outcome.kind === 'transport' || (outcome.kind === 'graphql' && outcome.code === 'SERVICE_UNAVAILABLE');
      const delayMs = RETRY.firstDelayMs * 2 ** (order.attempts - 1) * (0.75 + this.random() / 2);
      if (!retryable || order.attempts >= RETRY.maxAttempts || Date.now() + delayMs - firstAt > RETRY.budgetMs) {
        order.end = !retryable ? 'error' : refused ? 'refused' : 'failed';
        return;
      }
      await sleep(delayMs);
    }
  }

  /** One or two lines of distinct products, 1–2 units each; now and then a scarce product. */
  private orderLines(): { productId: string; quantity: number }[] {
    const count = this.random() < 0.5 ? 1 : 2;
    const ids = new Set<string>();
    while (ids.size < count) {
      const fromScarce = this.scarce.length > 0 && this.random() < this.settings.scarceShare;
      ids.add(this.pick(fromScarce ? this.scarce : this.plentiful));
    }
    return [...ids].map((productId) => ({ productId, quantity: 1 + Math.floor(this.random() * 2) }));
  }

  private async readCatalog(): Promise<void> {
    await this.send('catalog', this.phase, CatalogPageDocument, { first: 20 });
  }

  private async readMyOrders(): Promise<void> {
    await this.send(
      'myOrders',
      this.phase,
      MyOrdersWithItemsDocument,
      { first: 5 },
      this.pick(this.data.customers).token,
    );
  }

  /** A customer who has orders looks at their PAID ones and cancels one: its refund runs. */
  private async cancelPaidOrder(): Promise<void> {
    const taken = this.orders.filter((o) => o.end === 'taken');
    if (taken.length === 0) return;
    const { customer } = this.pick(taken);
    const phase = this.phase;
    const paid = await this.send('myOrders', phase, MyOrdersDocument, { first: 10, status: 'PAID' }, customer.token);
    if (paid.kind !== 'ok') return;
    const candidate = paid.data.me?.orders.edges.find((edge) => !this.cancelled.has(edge.node.id));
    if (!candidate) return;
    this.cancelled.add(candidate.node.id);
    const outcome = await this.send(
      'cancelOrder',
      phase,
      CancelOrderDocument,
      { id: candidate.node.id },
      customer.token,
    );
    if (outcome.kind === 'ok') phase.cancels += 1;
  }

  private async send<T, V>(
    kind: OperationKind,
    phase: PhaseLoad,
    document: TypedDocumentNode<T, V>,
    variables: V,
    token?: string,
  ): Promise<Outcome<T>> {
    const outcome = await this.client.execute(document, variables, token);
    recordOutcome(phase, kind, outcome);
    return outcome;
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
}
