import type { RequestHandler } from 'express';
import { Counter, Gauge, type Registry } from 'prom-client';
import { ServiceUnavailableError } from '../../platform/errors';
import { sendGraphQLError } from '../../platform/http/graphqlErrorResponse';
import type { Logger } from '../../platform/logger';
import { acceptsEventStream } from '../subscriptions/sseTransport';

/** A refused client may come back at once: by then another request has most likely finished. */
const RETRY_AFTER_SECONDS = 1;

/**
 * At most `max` HTTP requests to /graphql at once (GATEWAY_MAX_CONCURRENT_REQUESTS): the next one
 * is answered 503 SERVICE_UNAVAILABLE (reason `concurrency`) with Retry-After, before its body is
 * read, parsed or planned, and counted in gateway_requests_refused_total. It keeps the process from
 * collapsing (memory, event-loop lag) under a flood or a wave of slow uploads; it is not admission
 * control for latency, hence a generous default. A request holds its place from its headers until
 * its response is over or its connection closes; gateway_requests_in_flight shows how many do.
 *
 * SSE streams (requests that accept text/event-stream) are not counted, nor are WebSockets (they
 * never reach express): subscriptions are long-lived and capped by the SubscriptionService. Probes
 * and /metrics are not on /graphql.
 */
export function concurrencyCap(max: number, registry: Registry, log: Logger): RequestHandler {
  let inFlight = 0;
  new Gauge({
    name: 'gateway_requests_in_flight',
    help: 'HTTP requests to /graphql being served (subscriptions excluded), against GATEWAY_MAX_CONCURRENT_REQUESTS',
    registers: [registry],
    collect() {
      this.set(inFlight);
    },
  });
  const refused = new Counter({
    name: 'gateway_requests_refused_total',
    help: 'HTTP requests to /graphql answered 503 before any work, by reason (concurrency: over GATEWAY_MAX_CONCURRENT_REQUESTS)',
    labelNames: ['reason'],
    registers: [registry],
  });
  refused.inc({ reason: 'concurrency' }, 0);
  return (req, res, next) => {
    if (acceptsEventStream(req)) return next();
    if (inFlight >= max) {
      refused.inc({ reason: 'concurrency' });
      log.info({ requestId: res.locals.requestId, inFlight, max }, 'request refused: too many in flight');
      res.set('retry-after', String(RETRY_AFTER_SECONDS));
      return sendGraphQLError(
        res,
        new ServiceUnavailableError('The gateway is at capacity, try again shortly', { reason: 'concurrency' }),
      );
    }
    inFlight += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight -= 1;
    };
    // 'close' also comes when the client goes away mid-request; 'finish' is the usual end.
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}
