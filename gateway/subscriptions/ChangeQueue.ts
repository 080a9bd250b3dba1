import type { Change } from './ChangeFeed';

export interface QueuedChange {
  change: Change;
  entityId: string;
}

/** A subscriber that stopped reading: its subscription ends rather than hold changes without bound. */
export class FellBehindError extends Error {
  override name = 'FellBehindError';
}

/**
 * One subscription's changes waiting for their frame: the replayed ones (a
 * resume) first, then the live ones, each in stream order. Bounded: past
 * `max` waiting, the subscription ends with an error the client can act on
 * (resume from its last event id) instead of the gateway holding memory for it.
 */
export class ChangeQueue {
  private readonly replays: QueuedChange[] = [];
  private readonly live: QueuedChange[] = [];
  private waiting?: () => void;
  private ended = false;
  private overflowed = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly max: number) {}

  push(item: QueuedChange): void {
    if (this.ended) return;
    if (this.replays.length + this.live.length >= this.max) {
      this.overflowed = true;
      this.end();
      return;
    }
    this.live.push(item);
    this.wake();
  }

  replayed(item: QueuedChange): void {
    if (!this.ended) this.replays.push(item);
  }

  /** Ends the queue at `atMs` (the subscriber's token expires then). */
  endAt(atMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.end(), Math.max(0, atMs - Date.now()));
    this.timer.unref();
  }

  end(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.wake();
  }

  /** The next change, or undefined once ended; throws FellBehindError when the subscriber fell too far behind. */
  async next(): Promise<QueuedChange | undefined> {
    for (;;) {
      if (this.overflowed)
        throw new FellBehindError('Too many changes waiting for this subscriber: resume from the last event id');
      if (this.ended) return undefined;
      const item = this.replays.shift() ?? this.live.shift();
      if (item) return item;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
