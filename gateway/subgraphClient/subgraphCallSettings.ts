import { choice, flag, decimal, integer } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';

export interface SubgraphCallSettings {
  /** How long the gateway waits for one subgraph response, retry included. */
  timeoutMs: number;
  /** Which instance of a subgraph takes the next call. */
  balancing: 'least_outstanding' | 'round_robin';
  /** Keep-alive connections per instance. */
  maxConnections: number;
  /** > 0: calls in flight per instance beyond which a call is refused at once (shed) instead of queued. */
  maxInFlight: number;
  /** > 0: every instance host name is resolved to all its addresses, again at this interval. */
  dnsRefreshMs: number;
  /** Consecutive failures (unreachable, timeout, 5xx) that open an instance's breaker. */
  breakerFailures: number;
  /** How long an open breaker refuses calls before letting one through as a probe. */
  breakerHalfOpenAfterMs: number;
  /** One jittered retry, on another instance when there is one, for a query that could not connect. */
  retryConnectionErrors: boolean;
  /** Identical queries in flight for the same caller share one subgraph call. */
  deduplicate: boolean;
  /** > 0: adaptive throttling of calls a subgraph sheds, sending about this many times what it accepts. */
  throttleMultiplier: number;
}

/** How the gateway calls subgraphs: deadlines, pools, breakers, retries, adaptive throttling. */
export const subgraphCallSettings = settingsGroup(
  'subgraphCalls',
  ['gateway'],
  {
    SUBGRAPH_TIMEOUT_MS: integer({
      default: 10_000,
      min: 1,
      description: 'deadline of one subgraph call, its retry included',
    }),
    SUBGRAPH_DNS_REFRESH_MS: integer({
      default: 0,
      min: 0,
      description:
        '> 0: each `http://` host name is resolved to all its addresses (a headless Service), again this often; `0` = off',
    }),
    SUBGRAPH_LOAD_BALANCING: choice(['least_outstanding', 'round_robin'], {
      default: 'least_outstanding',
      description: 'which instance of a subgraph takes the next call',
    }),
    SUBGRAPH_MAX_CONNECTIONS: integer({ default: 64, min: 1, description: 'keep-alive connections per instance' }),
    SUBGRAPH_MAX_IN_FLIGHT: integer({
      default: 0,
      min: 0,
      description:
        '> 0: calls in flight per instance beyond which a call is refused at once (`overloaded`) instead of queueing until the deadline; `0` = no limit',
    }),
    BREAKER_FAILURES: integer({
      default: 5,
      min: 1,
      description: "consecutive failures that open an instance's breaker",
    }),
    BREAKER_HALF_OPEN_AFTER_MS: integer({
      default: 5_000,
      min: 1,
      description: 'how long an open breaker refuses calls before one probe call is let through',
    }),
    SUBGRAPH_RETRY: flag({
      default: true,
      description: 'a query that could not connect is sent once more, after 10–50 ms of jitter, to another instance',
    }),
    SUBGRAPH_DEDUPLICATE: flag({
      default: true,
      description:
        'a query identical to one in flight for the same user (same token) shares its answer; nothing is kept afterwards',
    }),
    SUBGRAPH_THROTTLE_MULTIPLIER: decimal({
      default: 2,
      min: 0,
      description:
        'adaptive throttling: while a subgraph sheds an operation, it gets about this many times what it accepts; the rest is answered with its refusal; `0` = off',
    }),
  },
  (s): { subgraphCalls: SubgraphCallSettings } => ({
    subgraphCalls: {
      timeoutMs: s.SUBGRAPH_TIMEOUT_MS,
      balancing: s.SUBGRAPH_LOAD_BALANCING,
      maxConnections: s.SUBGRAPH_MAX_CONNECTIONS,
      maxInFlight: s.SUBGRAPH_MAX_IN_FLIGHT,
      dnsRefreshMs: s.SUBGRAPH_DNS_REFRESH_MS,
      breakerFailures: s.BREAKER_FAILURES,
      breakerHalfOpenAfterMs: s.BREAKER_HALF_OPEN_AFTER_MS,
      retryConnectionErrors: s.SUBGRAPH_RETRY,
      deduplicate: s.SUBGRAPH_DEDUPLICATE,
      throttleMultiplier: s.SUBGRAPH_THROTTLE_MULTIPLIER,
    },
  }),
);
