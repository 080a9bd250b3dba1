import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createEvent, type EventEnvelope } from '../../../platform/events/envelope';
import { wasProcessed } from '../../../platform/events/inbox';
import type { SubgraphHarness } from '../../../test/support/subgraphHarness';
import { EventProbe } from '../../../test/support/eventProbe';
import { StockReserved } from '../../inventory/events/contracts';
import { OrderCancelled, OrderPlaced } from '../../orders/events/contracts';
import { PaymentRow } from '../db/PaymentRow';
import { eventually } from '../../../test/support/eventually';

export { eventually };

/**
 * For tests: plays orders and inventory on the bus of a harness that runs
 * payments, and looks at what payments did (its tables, its events, its
 * consumers' metrics) the way an operator would.
 */
export class SagaWorld {
  private constructor(
    private readonly h: SubgraphHarness,
    readonly probe: EventProbe,
  ) {}

  static async connect(h: SubgraphHarness): Promise<SagaWorld> {
    return new SagaWorld(h, await EventProbe.connect(h.env.EVENTS_PREFIX as string, h.env.NATS_URL));
  }

  get db(): DataSource {
    return this.h.services.payments.runtime.dataSource;
  }

  /** A new order: 42.50 EUR of one product by a new customer. */
  newOrder(cardToken = 'tok_visa') {
    return {
      orderId: randomUUID(),
      userId: randomUUID(),
      items: [{ productId: randomUUID(), quantity: 2 }],
      amountCents: 4250,
      currency: 'EUR',
      cardToken,
    };
  }

  placed(order: ReturnType<SagaWorld['newOrder']>) {
    return this.probe.publish(OrderPlaced, order, { subject: order.orderId });
  }

  /** Stock reserved, with a correlation id of its own so tests can see it carried on. */
  async reserved(orderId: string): Promise<EventEnvelope<{ orderId: string }>> {
    await this.probe.ensureStream('inventory');
    const event = createEvent(StockReserved, {
      source: 'inventory',
      subject: orderId,
      correlationId: `corr-${randomUUID()}`,
      data: { orderId },
    });
    await this.probe.publishEnvelope(event);
    return event;
  }

  cancelled(order: { orderId: string; userId: string }, wasPaid: boolean) {
    return this.probe.publish(
      OrderCancelled,
      { orderId: order.orderId, userId: order.userId, wasPaid },
      { subject: order.orderId },
    );
  }

  /** Delivers an event once more, as after the stream's duplicate window. */
  redeliver(event: EventEnvelope): Promise<void> {
    return this.probe.publishEnvelope(event, `${event.id}-again`);
  }

  paymentsOf(orderId: string): Promise<PaymentRow[]> {
    return this.db.getRepository(PaymentRow).find({ where: { orderId } });
  }

  /** Rows in the simulated provider's ledger: charges made (or declined) and refunds. */
  async ledger(kind: 'charge' | 'refund'): Promise<number> {
    const [{ count }] = (await this.db.query('SELECT count(*)::int AS count FROM provider_charges WHERE kind = $1', [
      kind,
    ])) as { count: number }[];
    return count;
  }

  /** payments' events about one order, oldest first. */
  async eventsAbout(orderId: string): Promise<EventEnvelope[]> {
    return (await this.probe.events('payments')).filter((e) => e.subject === orderId);
  }

  /** Until a consumer committed its handling of an event. */
  async handled(consumer: string, event: EventEnvelope): Promise<void> {
    await eventually(() => wasProcessed(this.db, consumer, event.id));
  }

  /** How many messages a consumer ended with an outcome (done, duplicate, retried, ...). */
  async outcomes(consumer: string, outcome: string): Promise<number> {
    const events = this.h.services.payments.runtime.events;
    const values = events ? (await events.metrics.consumed.get()).values : [];
    return values
      .filter((v) => v.labels.consumer === consumer && v.labels.outcome === outcome)
      .reduce((sum, v) => sum + v.value, 0);
  }

  close(): Promise<void> {
    return this.probe.close();
  }
}
