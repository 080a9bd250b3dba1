import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { isLoadShedding } from '../../platform/errors';
import { AdaptiveThrottle, type AdaptiveThrottlingSettings } from './AdaptiveThrottle';

/** Operations remembered at once; the oldest is forgotten first (a plan's operations are a handful). */
const MAX_OPERATIONS = 1_000;
/**
 * Longer operation texts are not tracked: the key is the text, and a client
 * controls its length (operation name, aliases); this bounds the memory.
 */
const MAX_OPERATION_LENGTH = 8_192;

interface ThrottledOperation {
  throttle: AdaptiveThrottle;
  /** The subgraph's last refusal of this operation, answered again for the calls refused locally. */
  refusal: GatewayGraphQLResponse;
}

/**
 * Adaptive throttling of a subgraph's calls: per subgraph operation (its text:
 * the query planner sends the same text for every client operation of one
 * shape), whether the subgraph sheds it, with an AdaptiveThrottle from its
 * first refusal on. Operations never refused
 * cost nothing here. Only a refusal with no data is kept and answered again:
 * its errors carry no user's data.
 */
export class AdaptiveThrottling {
  private readonly operations = new Map<string, ThrottledOperation>();

  constructor(private readonly settings: AdaptiveThrottlingSettings) {}

  /** The refusal to answer without calling the subgraph, or nothing: call it. */
  refusalFor(operation: string): GatewayGraphQLResponse | undefined {
    const throttled = this.operations.get(operation);
    // A copy each time: the gateway builds its own errors from these, and none may see another's.
    return throttled?.throttle.refusesLocally() ? structuredClone(throttled.refusal) : undefined;
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
    const throttled = this.operations.get(operation);
    if (!refused) {
      throttled?.throttle.accepted();
      return;
    }
    if (operation.length > MAX_OPERATION_LENGTH) return;
    const refusal = { data: null, errors: response.errors };
    if (throttled) {
      throttled.refusal = refusal;
      return;
    }
    if (this.operations.size >= MAX_OPERATIONS) this.operations.delete(this.operations.keys().next().value!);
    const throttle = new AdaptiveThrottle(this.settings);
    // This refused call counts as one made: the throttle starts from the refusal that created it.
    throttle.refusesLocally();
    this.operations.set(operation, { throttle, refusal });
  }
}
