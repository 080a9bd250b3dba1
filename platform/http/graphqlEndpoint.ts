import type { ApolloServer, BaseContext as ApolloContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import type { Express, Request } from 'express';
import { runAsRequest } from '../db/queryOrigin';
import { AppError, UnauthenticatedError } from '../errors';
import { sendGraphQLError } from './graphqlErrorResponse';
import { bodyErrorHandler, jsonBody } from './jsonBody';

/** The token of an `Authorization: Bearer <token>` header; undefined when there is no header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = header.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
  return match[1];
}

/**
 * Mounts Apollo on /graphql behind an authentication step that runs before
 * any GraphQL work: a refused request never reaches parsing or resolvers.
 */
export function mountGraphQL<Identity, Ctx extends ApolloContext>(
  app: Express,
  apollo: ApolloServer<Ctx>,
  authenticate: (token: string | undefined) => Promise<Identity>,
  context: (identity: Identity, req: Request) => Promise<Ctx> | Ctx,
): void {
  app.use(
    '/graphql',
    jsonBody(),
    async (req, res, next) => {
      try {
        res.locals.identity = await authenticate(bearerToken(req.headers.authorization));
        runAsRequest(() => next());
      } catch (error) {
        if (error instanceof AppError) return sendGraphQLError(res, error);
        next(error);
      }
    },
    expressMiddleware(apollo, {
      context: async ({ req, res }) => context(res.locals.identity as Identity, req),
    }),
  );
  app.use(bodyErrorHandler);
}
