import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { isLoadShedding } from '../../platform/errors';
import { AdaptiveThrottle, type AdaptiveThrottleSettings } from './adaptiveThrottle';

/** Operations remembered at once; the oldest is forgotten first (a plan's operations are a handful). */
const MAX_OPERATIONS = 1_000;
/**
 * Longer operation texts are not tracked: the key is the text, and a client
 * controls its length (operation name, aliases); this bounds the memory.
 */
const MAX_OPERATION_LENGTH = 8_192;

interface Shedding {
  throttle: AdaptiveThrottle;
  /** The subgraph's last refusal of this operation, answered again for the calls refused locally. */
  refusal: GatewayGraphQLResponse;
}

/**
 * Per subgraph operation (its text: the query planner sends the same text for
 * every client operation of one shape), whether the subgraph sheds it, with
 * an adaptive throttle from its first refusal on. Operations never refused
 * cost nothing here. Only a refusal with no data is kept and answered again:
 * its errors carry no user's data.
 */
export class LoadSheddingMemory {
  private readonly operations = new Map<string, Shedding>();

  constructor(private readonly settings: AdaptiveThrottleSettings) {}

  /** The refusal to answer without calling the subgraph, or nothing: call it. */
  refusalFor(operation: string): GatewayGraphQLResponse | undefined {
    const shedding = this.operations.get(operation);
    // A copy each time: the gateway builds its own errors from these, and none may see another's.
    return shedding?.throttle.refusesLocally() ? structuredClone(shedding.refusal) : undefined;
  }

  /**
   * The call got no answer (unreachable, timeout, breaker open): the refusal
   * kept is no longer what the subgraph says, and calls go out again to find out.
   */
  failed(operation: string): void {
    this.operations.delete(operation);
  }

  /** What the subgraph answered to a call that was sent. */
  record(operation: string, response: GatewayGraphQLResponse): void {
    const refused =
      response.data == null && !!response.errors?.length && response.errors.every((e) => isLoadShedding(e.extensions));
    const shedding = this.operations.get(operation);
    if (!refused) {
      shedding?.throttle.accepted();
      return;
    }
    if (operation.length > MAX_OPERATION_LENGTH) return;
    const refusal = { data: null, errors: response.errors };
    if (shedding) {
      shedding.refusal = refusal;
      return;
    }
    if (this.operations.size >= MAX_OPERATIONS) this.operations.delete(this.operations.keys().next().value!);
    const throttle = new AdaptiveThrottle(this.settings);
    // This refused call counts as one made: the throttle starts from the refusal that created it.
    throttle.refusesLocally();
    this.operations.set(operation, { throttle, refusal });
  }
}
