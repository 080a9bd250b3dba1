import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type Transport = 'websocket' | 'sse';

/** What an operator watches of the subscriptions: how many are open, what they deliver, how late. */
export function createSubscriptionMetrics(registry: Registry) {
  return {
    open: new Gauge({
      name: 'subscriptions_open',
      help: 'Subscriptions open on this gateway replica, by transport',
      labelNames: ['transport'],
      registers: [registry],
    }),
    refused: new Counter({
      name: 'subscriptions_refused_total',
      help: 'Subscriptions refused up front, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    delivered: new Counter({
      name: 'subscription_events_delivered_total',
      help: 'Frames sent for a change, by subscription field',
      labelNames: ['field'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'subscription_delivery_latency_seconds',
      help: 'From the commit of a change to its frame handed to the transport, by transport',
      labelNames: ['transport'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type SubscriptionMetrics = ReturnType<typeof createSubscriptionMetrics>;
