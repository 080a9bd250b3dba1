import { GraphQLError } from 'graphql';

/**
 * The error classes every service throws, one per `extensions.code` of the
 * public contract. Anything else that escapes a resolver is masked as
 * INTERNAL_SERVER_ERROR by the server (see graphql/formatError.ts).
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PERSISTED_QUERY_NOT_IN_LIST'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...details } });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'You must be signed in') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super('FORBIDDEN', message);
  }
}

export class BadUserInputError extends AppError {
  constructor(message: string, field?: string) {
    super('BAD_USER_INPUT', message, field ? { field } : {});
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class ServiceUnavailableError extends AppError {
  /**
   * `details.reason` says why, for clients and dashboards (e.g. `saga_backlog`).
   * Built without a stack: under overload it is thrown for most requests, a
   * stack says nothing about a refusal, and capturing it (then formatting it,
   * which graphql-js does when it locates the error) cost more than the refusal.
   */
  constructor(message = 'A service is unavailable, try again shortly', details: { reason?: string } = {}) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super('SERVICE_UNAVAILABLE', message, details);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}

/** Codes that say the client sent something wrong: never masked, logged at info. */
export const CLIENT_ERROR_CODES = new Set<string>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  // The gateway's operation limits (gateway/limits).
  'MAX_TOKENS_EXCEEDED',
  'MAX_DEPTH_EXCEEDED',
  'MAX_ALIASES_EXCEEDED',
  'MAX_ROOT_FIELDS_EXCEEDED',
  'MAX_COST_EXCEEDED',
  'MAX_SUBSCRIPTIONS_EXCEEDED',
  // The gateway's safelist (gateway/persistedOperations, PERSISTED_ONLY).
  'PERSISTED_QUERY_NOT_IN_LIST',
]);

/**
 * SERVICE_UNAVAILABLE reasons that mean a request was refused on purpose to
 * protect the others (load shedding), not that something broke: the refusal
 * is counted in metrics and logged at info, without a stack.
 */
const LOAD_SHEDDING_REASONS = new Set(['overloaded', 'saga_backlog']);

export function isLoadShedding(extensions: Readonly<Record<string, unknown>> | undefined): boolean {
  return extensions?.code === 'SERVICE_UNAVAILABLE' && LOAD_SHEDDING_REASONS.has(extensions.reason as string);
}

/** Every code a client may see; anything else is masked as INTERNAL_SERVER_ERROR. */
export const PUBLIC_CODES = new Set<string>([...CLIENT_ERROR_CODES, 'SERVICE_UNAVAILABLE']);
