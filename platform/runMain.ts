/** Runs a service's main: logs a failed start and exits non-zero; SIGINT/SIGTERM stop it cleanly. */
export function runMain(start: () => Promise<{ stop(): Promise<void> }>): void {
  start()
    .then((service) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        service.stop().then(
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
