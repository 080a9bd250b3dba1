import type { ManagedProcess, ProcessExit } from './managedProcess';
import { printPrefixed } from './prefixedOutput';

/** Each child gets this long to drain before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

export function log(message: string): void {
  printPrefixed('dev', message);
}

export function describeExit(exit: ProcessExit): string {
  if (exit.error) return exit.error.message;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * Owns the children of `npm start`. It stops them in reverse start order (gateway, then
 * subgraphs, then NATS and Postgres, which the others need while they drain), and exactly
 * once, whatever asked first: a signal, a crashed child or a failed start.
 */
export class Supervisor {
  private readonly stages: ManagedProcess[][] = [];
  private stopping?: Promise<never>;

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Processes started together are stopped together, after everything started later. */
  add(...processes: ManagedProcess[]): void {
    this.stages.push(processes);
  }

  /** From now on an exit of `child` is a failure: a dev setup that restarts silently hides bugs. */
  watch(child: ManagedProcess): void {
    void child.exited.then((exit) => {
      if (this.isStopping) return;
      log(`${child.name} exited unexpectedly (${describeExit(exit)}): stopping everything`);
      void this.shutdown(1);
    });
  }

  /** Stops every child, then exits with `exitCode`; later calls wait for the first one. */
  shutdown(exitCode: number): Promise<never> {
    this.stopping ??= this.stopAll().then(() => process.exit(exitCode));
    return this.stopping;
  }

  /** Ctrl-C or SIGTERM stops cleanly; a second one kills at once, for a child that hangs. */
  handleSignals(): void {
    let received = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      received += 1;
      if (received === 1) {
        log(`${signal}: stopping (press Ctrl-C again to kill everything at once)`);
        void this.shutdown(0);
        return;
      }
      log(`${signal} again: killing everything`);
      for (const child of this.stages.flat()) child.kill();
      process.exit(130);
    };
    // SIGHUP: the terminal went away; the children, in their own process groups, would not notice.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  }

  private async stopAll(): Promise<void> {
    for (const stage of [...this.stages].reverse()) {
      await Promise.all(stage.map((child) => this.stopOne(child)));
    }
  }

  /** Says how each child ended, so a slow or failing stop is visible. */
  private async stopOne(child: ManagedProcess): Promise<void> {
    if (!child.running) return;
    const startedMs = performance.now();
    const exit = await child.stop(STOP_TIMEOUT_MS);
    log(`${child.name} stopped (${describeExit(exit)}) in ${Math.round(performance.now() - startedMs)} ms`);
  }
}
