import cors from 'cors';
import type { RequestHandler } from 'express';
import type { OriginCheck } from './allowedOrigins';

/** What a browser page may send: the auth header, JSON, Apollo's CSRF headers and our request id. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
  // An SSE subscription resuming after the last event it saw.
  'last-event-id',
];

/**
 * CORS for /graphql with an allow-list of origins (allowedOrigins.ts: CORS_ORIGINS, and localhost in development).
 * An origin on the list gets the CORS headers; any other origin gets none, so
 * the browser keeps the response from the page. No credentials: callers send
 * a bearer token, never cookies. The response always varies on `Origin`, so
 * a cache never serves one origin's answer to another.
 */
export function corsPolicy(isAllowed: OriginCheck): RequestHandler {
  const handler = cors({
    // A function rather than the list itself: with a list, `cors` still sends the
    // allowed methods and headers to a refused origin's preflight; with `false` it sends nothing.
    origin: (origin, callback) => callback(null, origin !== undefined && isAllowed(origin) ? origin : false),
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  });
  return (req, res, next) => {
    res.vary('Origin');
    handler(req, res, (error?: unknown) => {
      if (error) return next(error);
      // A preflight `cors` did not answer came from an origin off the list: end it here,
      // empty and without CORS headers, rather than send it on to authentication and GraphQL.
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      next();
    });
  };
}
