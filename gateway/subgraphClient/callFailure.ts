import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';

/** Why a subgraph call gave no usable answer; also the `reason` clients see in the error's extensions. */
export type FailureReason = 'unreachable' | 'timeout' | 'circuit_open' | 'overloaded' | 'bad_status' | 'bad_response';

/** A subgraph call that failed, with the detail for the logs (never for clients). */
export class SubgraphCallFailure extends Error {
  override name = 'SubgraphCallFailure';

  constructor(
    readonly reason: FailureReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}

/**
 * The request did not get through: refused, reset or closed before an answer
 * arrived. For a query that is safe to send again; a timeout is not in this
 * list (the instance may still be working on it, and the deadline is spent).
 */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CONNECTION_ERROR_CODES.has(code);
}

/** Whether an error counts against an instance's breaker: the instance is down, slow or broken, not the request. */
export function isInstanceFailure(error: unknown): boolean {
  if (error instanceof SubgraphCallFailure) return error.reason === 'bad_status';
  return isConnectionError(error) || isTimeout(error);
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError' || error instanceof TaskCancelledError;
}

/** Any error of a call, as the failure clients and metrics see. */
export function toCallFailure(error: unknown): SubgraphCallFailure {
  if (error instanceof SubgraphCallFailure) return error;
  if (error instanceof BrokenCircuitError) return new SubgraphCallFailure('circuit_open', 'circuit breaker open');
  if (isTimeout(error)) return new SubgraphCallFailure('timeout', 'no answer within the timeout', { cause: error });
  const detail =
    error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
  return new SubgraphCallFailure('unreachable', detail, { cause: error });
}
