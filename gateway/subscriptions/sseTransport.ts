import type { Request, RequestHandler, Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import type { UserIdentity } from '../../platform/auth/identity';
import type { SubscriberAuth } from './subscriberAuth';
import type { SubscriptionService } from './SubscriptionService';

export interface SseTransportOptions {
  service: SubscriptionService;
  auth: SubscriberAuth;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Who the request acts for, as /graphql's authentication step found it. */
  userOf(res: Response): UserIdentity | undefined;
}

/**
 * GraphQL over SSE (the graphql-sse protocol, distinct connections mode) on
 * the gateway's /graphql, for requests that accept `text/event-stream`: one
 * stream per subscription, the user token in the Authorization header (checked
 * before this runs), ended when it expires. `Last-Event-ID` (or the request's
 * `extensions.lastEventId`) resumes after the last event the client saw.
 */
/** Whether /graphql serves this request as an SSE stream (here) rather than a plain HTTP request (Apollo). */
export function acceptsEventStream(req: Request): boolean {
  // Only a request that names event streams: `*/*` is an ordinary HTTP request for Apollo.
  return /text\/event-stream/.test(req.get('accept') ?? '');
}

export function sseTransport(options: SseTransportOptions): RequestHandler {
  const handle = createHandler({
    onSubscribe: async (req, params) => {
      const express = req.raw as Request;
      const res = req.context.res;
      const expiresAtMs = options.auth.expiryOfVerified(express.headers.authorization);
      const opened = await options.service.subscribe({
        query: params.query,
        variables: params.variables,
        operationName: params.operationName,
        user: options.userOf(res),
        ip: express.ip ?? 'unknown',
        requestId: String(res.locals.requestId),
        transport: 'sse',
        lastEventId: express.get('last-event-id') ?? stringOrUndefined(params.extensions?.lastEventId),
        expiresAtMs,
        // A stream carries one subscription; the per-user cap bounds how many streams one user opens.
        connection: { open: 0 },
      });
      if ('errors' in opened) {
        // `data: null` marks it as a result for graphql-sse: the stream carries the refusal, then completes.
        return {
          data: null,
          errors: opened.errors.map((error) => options.formatError(error.toJSON(), error)),
        } as never;
      }
      return opened.frames as never;
    },
  });
  return (req, res, next) => {
    if (!acceptsEventStream(req)) return next();
    // graphql-sse picks distinct connections mode by this exact header value.
    req.headers.accept = 'text/event-stream';
    handle(req, res).catch(next);
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
