import { HeaderMap } from '@apollo/server';
import { AppError } from '../../platform/errors';

/** An operation over a rate limit: HTTP 429 with `Retry-After`, and the wait in the extensions. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message, {
      retryAfterSeconds,
      // Apollo takes `http` off the extensions and applies it to the response.
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    });
  }
}
