import express, { type ErrorRequestHandler, type RequestHandler } from 'express';

/** Parses JSON bodies up to a size limit (bytes, or a string such as '1mb'). */
export function jsonBody(limit: number | string = '1mb'): RequestHandler {
  return express.json({ limit });
}

/** A malformed or oversized body is the client's error: say so in GraphQL's shape. */
export const bodyErrorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  const type = (error as { type?: string }).type;
  if (!status || status >= 500) return next(error);
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: number }).limit;
    const message = limit ? `Request body too large: the limit is ${limit} bytes` : 'Request body too large';
    return res.status(413).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST', limit } }] });
  }
  const message = type === 'entity.parse.failed' ? 'Malformed JSON body' : 'Bad request';
  res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
};
