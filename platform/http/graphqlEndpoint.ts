import { randomUUID } from 'node:crypto';
import type { ApolloServer, BaseContext as ApolloContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import type { Express, Request, RequestHandler } from 'express';
import { runAsRequest } from '../db/queryOrigin';
import { AppError, UnauthenticatedError } from '../errors';
import { runWithRequestLog, type Logger } from '../logger';
import { sendGraphQLError } from './graphqlErrorResponse';
import { bodyErrorHandler, jsonBody } from './jsonBody';

/** The token of an `Authorization: Bearer <token>` header; undefined when there is no header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = header.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
  return match[1];
}

/** A caller's `x-request-id` when well-formed (it ends up in logs and headers), else a new one. */
export function requestIdOf(req: Request): string {
  const header = req.headers['x-request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w.:-]{1,128}$/.test(value) ? value : randomUUID();
}

export interface GraphQLEndpoint<Identity, Ctx> {
  authenticate(token: string | undefined): Promise<Identity>;
  /** The user a request acts for, for the logs. */
  userIdOf(identity: Identity): string | undefined;
  context(identity: Identity, requestId: string, req: Request): Promise<Ctx> | Ctx;
  log: Logger;
  /** Largest JSON body accepted (bytes or e.g. '1mb'); over it: 413. */
  maxBodyBytes?: number | string;
  /** Runs first: answers CORS preflights, so they never reach authentication or GraphQL. */
  cors?: RequestHandler;
  /** Before the body is read: may refuse the request at once (the gateway's concurrency cap). */
  admit?: RequestHandler;
  /** After authentication, before Apollo: serves the requests it takes (the gateway's SSE subscriptions). */
  streams?: RequestHandler;
}

/**
 * Mounts Apollo on /graphql behind an authentication step that runs before
 * any GraphQL work: a refused request never reaches parsing or resolvers.
 * Every request gets an id (the caller's, or a new one), echoed in the
 * `x-request-id` response header and carried by every line it logs.
 */
export function mountGraphQL<Identity, Ctx extends ApolloContext>(
  app: Express,
  apollo: ApolloServer<Ctx>,
  endpoint: GraphQLEndpoint<Identity, Ctx>,
): void {
  app.use(
    '/graphql',
    ...(endpoint.cors ? [endpoint.cors] : []),
    (req, res, next) => {
      const requestId = requestIdOf(req);
      res.locals.requestId = requestId;
      res.setHeader('x-request-id', requestId);
      next();
    },
    ...(endpoint.admit ? [endpoint.admit] : []),
    jsonBody(endpoint.maxBodyBytes),
    async (req, res, next) => {
      const requestId = res.locals.requestId as string;
      let identity: Identity;
      try {
        identity = await endpoint.authenticate(bearerToken(req.headers.authorization));
      } catch (error) {
        if (!(error instanceof AppError)) return next(error);
        // The reason only: never the header or the token itself.
        endpoint.log.info({ requestId, code: error.code, reason: error.message }, 'request refused');
        return sendGraphQLError(res, error);
      }
      res.locals.identity = identity;
      const userId = endpoint.userIdOf(identity);
      runWithRequestLog(userId ? { requestId, userId } : { requestId }, () => runAsRequest(() => next()));
    },
    ...(endpoint.streams ? [endpoint.streams] : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        endpoint.context(res.locals.identity as Identity, res.locals.requestId as string, req),
    }),
  );
  app.use(bodyErrorHandler);
}
