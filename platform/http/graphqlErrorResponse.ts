import type { Response } from 'express';
import type { AppError } from '../errors';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, SERVICE_UNAVAILABLE: 503 };

/** Answers a request refused before GraphQL runs, in GraphQL's response shape, its details (`reason`) included. */
export function sendGraphQLError(res: Response, error: AppError): void {
  res
    .status(STATUS[error.code] ?? 400)
    .json({ errors: [{ message: error.message, extensions: { ...error.extensions, code: error.code } }] });
}
