/** A stop that takes longer than this (a stuck connection, say) ends in a hard exit. */
const STOP_TIMEOUT_MS = 20_000;

export interface RunMainOptions {
  /** Runs once the service stopped, before the exit (flushing buffered spans); its failure is ignored. */
  afterStop?: () => Promise<void>;
}

/**
 * Runs a service's main: logs a failed start and exits non-zero. SIGINT or
 * SIGTERM stops it cleanly; a second signal, or a stop that hangs, exits at once.
 */
export function runMain(start: () => Promise<{ stop(): Promise<void> }>, options: RunMainOptions = {}): void {
  start()
    .then((service) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) {
          console.error(`second ${signal}: exiting now`);
          process.exit(1);
        }
        stopping = true;
        setTimeout(() => {
          console.error(`stop did not finish within ${STOP_TIMEOUT_MS} ms: exiting`);
          process.exit(1);
        }, STOP_TIMEOUT_MS).unref();
        service
          .stop()
          .finally(() => options.afterStop?.().catch(() => undefined))
          .then(
            () => process.exit(0),
            (error: unknown) => {
              console.error(`stop after ${signal} failed:`, error);
              process.exit(1);
            },
          );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    })
    .catch((error: unknown) => {
      console.error(`start failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!(error instanceof Error && error.name === 'ConfigError')) console.error(error);
      process.exit(1);
    });
}
