import path from 'node:path';
import type { Env } from '../config';
import { tracingSettings } from './tracingSettings';

export interface Tracing {
  enabled: boolean;
  /** Sends the spans still buffered and stops recording; call it after the service stopped. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/** Paths probes and scrapers hit every few seconds: a trace each would drown the real ones. */
const UNTRACED_PATHS = /^\/(health|ready|metrics)(\/|\?|$)/;

/**
 * Starts OpenTelemetry for one service when `OTEL_EXPORTER_OTLP_ENDPOINT` is
 * set: http, express, graphql and pg are patched, spans go in batches to
 * `${endpoint}/v1/traces` as OTLP/HTTP JSON, new traces are sampled at
 * `OTEL_TRACES_SAMPLER_ARG` and a caller's decision is kept (parent-based).
 * Without the endpoint nothing is loaded or started: the @opentelemetry/api
 * calls elsewhere stay no-ops. Must run before the patched modules are
 * required (see register.ts).
 */
export function startTracing(serviceName: string, env: Env): Tracing {
  const config = tracingSettings.read(env);
  if (!config.endpoint) return OFF;
  // Loaded only when tracing is on: the SDK and its exporters are many modules to read at start-up.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const sdkTrace = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation, ExpressLayerType } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { GraphQLInstrumentation } =
    require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const exporter = new OTLPTraceExporter({ url: `${config.endpoint}/v1/traces` });
  const sdk = new NodeSDK({
    serviceName,
    sampler: new sdkTrace.ParentBasedSampler({ root: new sdkTrace.TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [new sdkTrace.BatchSpanProcessor(exporter, { scheduledDelayMillis: config.exportDelayMs })],
    // Traces only: logs and metrics have their own pipelines (pino, prom-client).
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') }),
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
      // The outbox relay and the consumers poll the database; outside a request or an event that is noise.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () => (stopped ??= sdk.shutdown().catch((error: unknown) => console.error('tracing shutdown:', error))),
  };
}

/** A service is named after its entry's folder: dist/subgraphs/orders/main.js -> orders. */
export function serviceNameOf(entry: string | undefined): string {
  return entry ? path.basename(path.dirname(entry)) : 'supergraph';
}
