/**
 * Client-side adaptive throttling (Google SRE book, "Handling Overload"):
 * while a subgraph refuses calls of one kind to shed load, the gateway
 * answers a share of those calls itself, with the subgraph's own refusal,
 * instead of sending them. A refusal still costs the subgraph its HTTP,
 * GraphQL and database work; under overload refusals are most of the calls
 * and would take the CPU the accepted ones need.
 *
 * Over the last `windowMs`, with `requests` the calls the gateway had to
 * make (answered locally or not) and `accepts` those the subgraph did not
 * refuse, a call is answered locally with probability
 * max(0, (requests - multiplier x accepts) / (requests + 1)), once there
 * were a few. Nothing is refused locally until refusals pass 1 - 1/multiplier
 * of the calls, and the subgraph keeps seeing about `multiplier` times what
 * it accepts, so it is seen to recover.
 */
export interface AdaptiveThrottlingSettings {
  /** 2 in the SRE book: lower refuses locally sooner, higher sends more through. */
  multiplier: number;
  windowMs: number;
}

const BUCKETS = 10;
/** Fewer calls in the window tell nothing: the subgraph answers them (a refusal is cheap at that rate). */
const MIN_REQUESTS = 20;

export class AdaptiveThrottle {
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly accepts = new Array<number>(BUCKETS).fill(0);
  /** The bucket index (time / bucket length) each slot was last written for. */
  private readonly slots = new Array<number>(BUCKETS).fill(-1);
  private readonly bucketMs: number;

  constructor(
    private readonly settings: AdaptiveThrottlingSettings,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.bucketMs = settings.windowMs / BUCKETS;
  }

  /** Counts a call the gateway has to make, and says whether to answer it locally. */
  refusesLocally(): boolean {
    const slot = this.slot();
    this.requests[slot] += 1;
    const requests = sum(this.requests);
    if (requests < MIN_REQUESTS) return false;
    const accepts = sum(this.accepts);
    const probability = Math.max(0, (requests - this.settings.multiplier * accepts) / (requests + 1));
    return this.random() < probability;
  }

  /** A call that went to the subgraph and was not refused for load. */
  accepted(): void {
    this.accepts[this.slot()] += 1;
  }

  /** The current bucket's slot, emptying the slots of buckets that left the window. */
  private slot(): number {
    const bucket = Math.floor(this.now() / this.bucketMs);
    const slot = bucket % BUCKETS;
    if (this.slots[slot] !== bucket) {
      for (let i = 0; i < BUCKETS; i++) {
        if (bucket - this.slots[i] >= BUCKETS) {
          this.requests[i] = 0;
          this.accepts[i] = 0;
        }
      }
      this.requests[slot] = 0;
      this.accepts[slot] = 0;
      this.slots[slot] = bucket;
    }
    return slot;
  }
}

function sum(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
