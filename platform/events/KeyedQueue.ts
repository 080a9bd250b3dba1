/**
 * Runs tasks concurrently, at most `limit` at a time, but one after another
 * for the same key (a consumer keys by the envelope's `subject`, the order
 * id): different orders move on in parallel while each order's events are
 * still handled in the order they were delivered.
 *
 * A task waiting behind another of its key holds its slot, so `limit` bounds
 * everything taken from the stream and not finished yet, not only what runs.
 */
export class KeyedQueue {
  private inFlight = 0;
  private readonly waitingForSlot: (() => void)[] = [];
  /** The last task of each key; a new one starts when it ended. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  /** `onError` gets what a task threw; tasks are expected to end their own failures (nak, term). */
  constructor(
    private readonly limit: number,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`KeyedQueue limit must be a positive integer: ${limit}`);
  }

  /** Tasks taken and not finished (running or waiting behind their key). */
  get size(): number {
    return this.inFlight;
  }

  /**
   * Resolves once the task has a slot, not when it finished: the caller
   * awaits this before taking the next message, which is its back-pressure.
   */
  async push(key: string, task: () => Promise<void>): Promise<void> {
    while (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    this.inFlight++;
    const previous = this.tails.get(key);
    const run = (previous ?? Promise.resolve())
      .then(task)
      .catch(this.onError)
      .finally(() => {
        this.running.delete(run);
        if (this.tails.get(key) === run) this.tails.delete(key);
        this.inFlight--;
        this.waitingForSlot.shift()?.();
      });
    this.tails.set(key, run);
    this.running.add(run);
  }

  /** Resolves when every task pushed so far has finished (a graceful stop waits for it). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
