import pino, { type Logger } from 'pino';

export type { Logger };

/** One JSON logger per process; secrets never reach it (see the redact list). */
export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    redact: {
      paths: ['password', '*.password', 'input.password', 'token', '*.token', 'authorization', '*.authorization'],
      censor: '[redacted]',
    },
  });
}
