import { createEvent, type EventContract, type EventEnvelope } from '../../../platform/events/envelope';

/** An event payments publishes because of another: about the same order, in the same correlation. */
export function paymentEvent<T extends { orderId: string }>(
  contract: EventContract<T>,
  cause: EventEnvelope,
  data: T,
): EventEnvelope<T> {
  return createEvent(contract, {
    source: 'payments',
    subject: data.orderId,
    correlationId: cause.correlationId,
    traceparent: cause.traceparent,
    data,
  });
}
