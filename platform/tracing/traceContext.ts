import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';

const tracer = trace.getTracer('supergraph-events');

/**
 * The W3C trace headers (`traceparent`, `tracestate`) of the active span, to
 * send along with a request or an event; empty when tracing is off or no
 * trace is active.
 */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export function activeTraceparent(): string | undefined {
  return traceHeaders().traceparent;
}

/**
 * Runs the handling of one message in a CONSUMER span that continues the
 * producer's trace: a child of the traceparent it carried, and linked to it
 * (the link survives should a backend split long-running sagas into traces).
 * Everything the work does (queries, the events it emits) joins that trace.
 */
export function inConsumerSpan(
  name: string,
  traceparent: string | undefined,
  attributes: Attributes,
  work: () => Promise<void>,
): Promise<void> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  const producer = trace.getSpanContext(parent);
  const options = { kind: SpanKind.CONSUMER, attributes, links: producer ? [{ context: producer }] : [] };
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      await work();
    } finally {
      span.end();
    }
  });
}

/** Marks the active span failed (a message that will be retried or dead-lettered). */
export function recordSpanError(error: Error): void {
  const span = trace.getActiveSpan();
  span?.recordException(error);
  span?.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
