import { randomUUID } from 'node:crypto';
import { activeTraceparent } from '../tracing/traceContext';

/**
 * Every event on the bus, with CloudEvents field names (DESIGN.md). `type` is
 * the NATS subject without the namespace (`orders.placed`); `subject` is the
 * aggregate the event is about (an order id); `version` is the data contract's.
 */
export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  version: number;
  source: string;
  time: string;
  subject: string;
  correlationId: string;
  traceparent?: string;
  data: T;
}

/** A typed event contract: written once, imported by the producer and every consumer. */
export interface EventContract<T> {
  type: string;
  version: number;
  /** Checks an incoming payload; throws when it can never be handled. */
  parse(data: unknown): T;
  /** The data of an incoming event of this contract; another version can never be handled. */
  read(event: EventEnvelope): T;
}

/**
 * A new event of the contract. Its `traceparent` is the active span's when
 * tracing is on (in a consumer that is the span handling the cause, itself in
 * the cause's trace), else the one the caller passed along from the cause, so
 * a saga stays one trace even through a service that does not trace.
 */
export function createEvent<T>(
  contract: EventContract<T>,
  fields: { source: string; subject: string; correlationId?: string; traceparent?: string; data: T },
): EventEnvelope<T> {
  return {
    id: randomUUID(),
    type: contract.type,
    version: contract.version,
    source: fields.source,
    time: new Date().toISOString(),
    subject: fields.subject,
    correlationId: fields.correlationId ?? fields.subject,
    traceparent: activeTraceparent() ?? fields.traceparent,
    data: fields.data,
  };
}

/**
 * An event published because of another (a saga step's reply): the cause's
 * correlation id and trace go on, so the saga stays one correlation and one
 * trace. The one way every subgraph builds a reply to an incoming event.
 */
export function createReplyEvent<T>(
  contract: EventContract<T>,
  cause: EventEnvelope,
  fields: { source: string; subject: string; data: T },
): EventEnvelope<T> {
  return createEvent(contract, { ...fields, correlationId: cause.correlationId, traceparent: cause.traceparent });
}

/** A message that can never be handled (malformed, unknown version): it goes to the dead letters at once. */
export class PermanentEventError extends Error {
  override name = 'PermanentEventError';
}

/**
 * The event cannot be handled yet, but will be once something else happened
 * (an event it follows arrives on another stream, a charge in flight settles).
 * Retried like a fault, with a larger budget: waiting out a backlog is normal.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

export function parseEnvelope(bytes: Uint8Array): EventEnvelope {
  let value: Partial<EventEnvelope>;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<EventEnvelope>;
  } catch {
    throw new PermanentEventError('not JSON');
  }
  const { id, type, version, source, time, subject, correlationId } = value;
  const strings = [id, type, source, time, subject, correlationId];
  if (!strings.every((s) => typeof s === 'string' && s.length > 0) || typeof version !== 'number') {
    throw new PermanentEventError('not an event envelope');
  }
  return value as EventEnvelope;
}
