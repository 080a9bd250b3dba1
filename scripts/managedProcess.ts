import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { printPrefixed } from './prefixedOutput';

/** How a child ended; `error` is set when it could not even be spawned. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** As root, Postgres must run as another user. */
  uid?: number;
  gid?: number;
  /** The signal that asks for a clean stop: Postgres stops fast on SIGINT, most others on SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** Sees every output line, e.g. to notice "ready to accept connections". */
  onLine?: (line: string) => void;
  /** Keep the output to quote on failure, but do not print it (initdb's chatter). */
  quiet?: boolean;
}

/** Enough output to explain a failed start in an error message. */
const RECENT_LINES = 15;
const live = new Set<ManagedProcess>();

// Children run in their own process group (see the constructor), so nothing stops them when the
// supervisor dies of an unexpected error; this last-moment hook at least asks them to stop.
process.on('exit', () => {
  for (const child of live) child.signal(child.stopSignal);
});

/** A child process whose output is prefixed with its name and which can be stopped with a deadline. */
export class ManagedProcess {
  readonly exited: Promise<ProcessExit>;
  readonly stopSignal: NodeJS.Signals;
  private readonly child: ChildProcess;
  private readonly recent: string[] = [];
  private exit?: ProcessExit;

  constructor(private readonly options: ManagedProcessOptions) {
    this.stopSignal = options.stopSignal ?? 'SIGTERM';
    this.child = spawn(options.command, options.args, {
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: Ctrl-C at the terminal then reaches only the supervisor,
      // which stops the gateway first and Postgres last instead of all at once.
      detached: true,
    });
    live.add(this);
    this.exited = new Promise((resolve) => {
      // 'close' rather than 'exit': it comes after the last output line, which explains a failed start.
      this.child.once('close', (code, signal) => resolve(this.ended({ code, signal })));
      this.child.once('error', (error) => resolve(this.ended({ code: null, signal: null, error })));
    });
    this.follow(this.child.stdout, process.stdout);
    this.follow(this.child.stderr, process.stderr);
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The last lines the child printed, to quote when it failed to start. */
  recentOutput(): string {
    return this.recent.join(' / ');
  }

  /** Asks for a clean stop and waits; kills the whole process group if that takes longer than timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<ProcessExit> {
    if (!this.running) return this.exited;
    this.signal(this.stopSignal);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const result = await Promise.race([this.exited, deadline]);
    clearTimeout(timer);
    if (result !== 'late') return result;
    printPrefixed('dev', `${this.name} did not stop within ${timeoutMs} ms: killing it`, process.stderr);
    this.kill();
    return this.exited;
  }

  /** SIGKILL to the group, so grandchildren (Postgres backends) go too. */
  kill(): void {
    this.signal('SIGKILL', true);
  }

  /** Sends a signal unless the child is gone; a race with its exit is harmless. */
  signal(signal: NodeJS.Signals, wholeGroup = false): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(wholeGroup ? -this.child.pid : this.child.pid, signal);
    } catch {
      // ESRCH: it exited between the check and the signal.
    }
  }

  private ended(exit: ProcessExit): ProcessExit {
    this.exit ??= exit;
    live.delete(this);
    return this.exit;
  }

  private follow(stream: Readable | null, out: NodeJS.WriteStream): void {
    if (!stream) return;
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      this.recent.push(line.trim());
      if (this.recent.length > RECENT_LINES) this.recent.shift();
      this.options.onLine?.(line);
      if (!this.options.quiet) printPrefixed(this.name, line, out);
    });
  }
}

/** Spawns a managed child; watch `exited` to notice when it ends. */
export function startManagedProcess(options: ManagedProcessOptions): ManagedProcess {
  return new ManagedProcess(options);
}
