import { startManagedProcess, type ManagedProcess } from '../managedProcess';
import { waitForReady } from '../waitForReady';
import type { OutputSink } from './NatsCluster';

/** A slow start on a busy 2-core machine (ten services, NATS and Postgres share it) is not a failure. */
const READY_TIMEOUT_MS = 120_000;

/**
 * One instance of a service (`orders-2`, `gateway`) from dist/, on its own
 * port. Killing and starting it again keeps its name, port and settings: to
 * the gateway and the other instances it is the same instance, back.
 */
export class ServiceProcess {
  private current?: ManagedProcess;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: OutputSink,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.current?.running ?? false;
  }

  /** Starts it and waits until its /ready answers 200. */
  async start(): Promise<void> {
    if (this.current?.running) throw new Error(`${this.name} is running already`);
    this.current = startManagedProcess({
      name: this.name,
      command: process.execPath,
      args: [this.script],
      env: this.env,
      quiet: true,
      onLine: (line) => this.output(this.name, line),
    });
    await waitForReady(this.current, this.port, READY_TIMEOUT_MS);
  }

  /** SIGKILL, as a crash or an OOM kill: no drain, no last outbox flush. */
  async kill(): Promise<void> {
    this.current?.kill();
    await this.current?.exited;
  }

  /** A clean stop (SIGTERM, then SIGKILL after the process's own stop deadline). */
  async stop(): Promise<void> {
    await this.current?.stop(25_000);
  }
}
