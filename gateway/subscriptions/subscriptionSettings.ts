import { integer } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';

export interface SubscriptionSettings {
  /** Open subscriptions one WebSocket connection may hold. */
  maxPerConnection: number;
  /** Open subscriptions one user (or one address, when anonymous) may hold on this replica, over every connection. */
  maxPerUser: number;
  /** Changes a subscriber may fall behind by before its subscription ends (a client that stopped reading). */
  maxQueuedChanges: number;
  /** How often an idle WebSocket is pinged; a connection that missed a ping is closed. */
  keepAliveMs: number;
}

/** Subscriptions over WebSocket and SSE (gateway/subscriptions/). */
export const subscriptionSettings = settingsGroup(
  'subscriptions',
  ['gateway'],
  {
    SUBSCRIPTIONS_MAX_PER_CONNECTION: integer({
      default: 20,
      min: 1,
      max: 1_000,
      description: 'open subscriptions one WebSocket connection may hold (an SSE stream holds one)',
    }),
    SUBSCRIPTIONS_MAX_PER_USER: integer({
      default: 50,
      min: 1,
      max: 10_000,
      description: 'open subscriptions one user (anonymous: one address) may hold on a gateway replica',
    }),
    SUBSCRIPTIONS_MAX_QUEUED_CHANGES: integer({
      default: 1_000,
      min: 1,
      description: 'changes a subscriber may fall behind by; past it the subscription ends with an error',
    }),
    SUBSCRIPTIONS_KEEPALIVE_MS: integer({
      default: 15_000,
      min: 1_000,
      description:
        'ping interval of an idle WebSocket (SSE streams send a comment every 12 s); a missed pong closes it',
    }),
  },
  (s): { subscriptions: SubscriptionSettings } => ({
    subscriptions: {
      maxPerConnection: s.SUBSCRIPTIONS_MAX_PER_CONNECTION,
      maxPerUser: s.SUBSCRIPTIONS_MAX_PER_USER,
      maxQueuedChanges: s.SUBSCRIPTIONS_MAX_QUEUED_CHANGES,
      keepAliveMs: s.SUBSCRIPTIONS_KEEPALIVE_MS,
    },
  }),
);
