import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** What every line logged while a request is handled carries. */
export interface RequestLogFields {
  requestId: string;
  userId?: string;
}

const requestFields = new AsyncLocalStorage<RequestLogFields>();

/**
 * Runs a request's work so that every line logged in it (resolvers, the error
 * formatter, TypeORM's query errors) carries its request id and user id.
 */
export function runWithRequestLog<T>(fields: RequestLogFields, work: () => T): T {
  return requestFields.run(fields, work);
}

/** Keys whose values are never logged, wherever they sit in a logged object. */
const SECRET_KEYS = ['password', 'token', 'authorization', 'cookie', 'signingKey', 'secret', 'accessToken'];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'variables.*.password',
  'input.password',
]);

/** One JSON logger per process; secrets never reach it (see the redact list). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: service,
      level,
      base: { service, version: SERVICE_VERSION, pid: process.pid },
      // Correlation: the request's ids, and the active span's when tracing runs.
      mixin() {
        const fields: Record<string, string> = { ...requestFields.getStore() };
        const span = trace.getActiveSpan()?.spanContext();
        if (span && span.traceId !== INVALID_TRACE_ID) {
          fields.traceId = span.traceId;
          fields.spanId = span.spanId;
        }
        return fields;
      },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

const INVALID_TRACE_ID = '00000000000000000000000000000000';

/** The package's version: package.json sits above the sources (platform/) and the build (dist/platform/). */
export const SERVICE_VERSION = findVersion();

function findVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
