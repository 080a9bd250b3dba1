import express, { type ErrorRequestHandler, type RequestHandler } from 'express';

/** Parses JSON bodies up to a size limit. */
export function jsonBody(limit = '1mb'): RequestHandler {
  return express.json({ limit });
}

/** A malformed or oversized body is the client's error: say so in GraphQL's shape. */
export const bodyErrorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  const type = (error as { type?: string }).type;
  if (!status || status >= 500) return next(error);
  const message =
    type === 'entity.too.large'
      ? 'Request body too large'
      : type === 'entity.parse.failed'
        ? 'Malformed JSON body'
        : 'Bad request';
  res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
};
