import { print } from 'graphql';
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { MyOrdersUpdatedDocument, ProductsUpdatedDocument } from '../../client/generated/graphql';
import { acceptedIds, offerOrders, steadyRate, type OrderTarget } from './orderOffer';
import { cpuSeconds, rssBytes } from './processStats';
import { percentile, round } from './sagaFigures';

export interface SubscriptionLoadSettings {
  /** WebSocket subscribers: one per customer follows its orders (myOrdersUpdated), the others watch products. */
  webSockets: number;
  /** SSE subscribers, each watching products. */
  sse: number;
  /** Products each product watcher follows (productsUpdated). */
  productsPerWatcher: number;
  ordersPerSecond: number;
  seconds: number;
  settleSeconds: number;
}

export interface SubscriptionFigures {
  websocket_subscribers: number;
  sse_subscribers: number;
  /** How long opening them all took. */
  open_s: number;
  /** The gateway's resident memory with none open and with all open and idle: what one costs. */
  gateway_rss_mb_before: number;
  gateway_rss_mb_open: number;
  kb_per_idle_subscriber: number;
  orders: number;
  /** Order frames received by the customers following their orders, and orders whose end never came. */
  order_frames: number;
  orders_missing_their_end: number;
  /** From an order's change committed (its frame's updatedAt) to the frame received by its follower. */
  delivery_p50_ms: number;
  delivery_p99_ms: number;
  product_frames: number;
  /** The gateway's CPU while orders flowed, per second and per 1,000 subscribers. */
  gateway_cpu_ms_per_s: number;
  gateway_cpu_ms_per_s_per_1000_subscribers: number;
  /** Subscriptions that ended with an error (a refusal, a close) before the end. */
  errors: number;
}

const OPEN_BATCH = 50;
const ENDED = new Set(['PAID', 'REJECTED', 'CANCELLED']);

/**
 * Many clients following the shop live while orders flow at a steady rate:
 * every customer follows its own orders over a WebSocket, the other
 * subscribers watch a few products each (WebSocket and SSE), as catalog
 * pages do. Measures what a subscriber costs the gateway at rest, and how
 * late and how complete the order frames are under load.
 */
export async function runSubscriptionLoad(
  target: OrderTarget,
  gatewayPid: number,
  settings: SubscriptionLoadSettings,
): Promise<SubscriptionFigures> {
  const wsUrl = target.graphqlUrl.replace(/^http/, 'ws');
  const watchers = settings.webSockets - target.tokens.length;
  if (watchers < 0) throw new Error(`subscriptions: ${settings.webSockets} WebSockets, fewer than the customers`);
  const tally = { orderFrames: 0, productFrames: 0, errors: 0, latencies: [] as number[], ended: new Set<string>() };
  const sink = {
    next: () => undefined,
    error: () => void (tally.errors += 1),
    complete: () => undefined,
  };
  const wsClients: WsClient[] = [];
  const sseClients: SseClient[] = [];
  const watchedIds = (i: number) =>
    Array.from(
      { length: settings.productsPerWatcher },
      (_, k) => target.productIds[(i * settings.productsPerWatcher + k) % target.productIds.length],
    );

  const rssBefore = rssBytes(gatewayPid);
  const openedAt = Date.now();
  const opens: (() => Promise<void>)[] = [];
  for (const token of target.tokens) {
    opens.push(async () => {
      const client = wsClient(wsUrl, token);
      wsClients.push(client);
      await subscribed(
        client,
        print(MyOrdersUpdatedDocument),
        {},
        (frame) => {
          const order = (frame.data as { myOrdersUpdated?: { id: string; status: string; updatedAt: string } })
            ?.myOrdersUpdated;
          if (!order) return;
          tally.orderFrames += 1;
          tally.latencies.push(Date.now() - Date.parse(order.updatedAt));
          if (ENDED.has(order.status)) tally.ended.add(order.id);
        },
        sink,
      );
    });
  }
  for (let i = 0; i < watchers; i++) {
    opens.push(async () => {
      const client = wsClient(wsUrl);
      wsClients.push(client);
      await subscribed(
        client,
        print(ProductsUpdatedDocument),
        { ids: watchedIds(i) },
        () => {
          tally.productFrames += 1;
        },
        sink,
      );
    });
  }
  for (let i = 0; i < settings.sse; i++) {
    opens.push(async () => {
      const client = createSseClient({ url: target.graphqlUrl, retryAttempts: 0 });
      sseClients.push(client);
      client.subscribe(
        { query: print(ProductsUpdatedDocument), variables: { ids: watchedIds(watchers + i) } },
        { ...sink, next: () => void (tally.productFrames += 1) },
      );
    });
  }
  for (let i = 0; i < opens.length; i += OPEN_BATCH)
    await Promise.all(opens.slice(i, i + OPEN_BATCH).map((open) => open()));
  const open_s = round((Date.now() - openedAt) / 1000);
  // Idle for a moment: the SSE streams' first bytes and the sockets' buffers settle.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const rssOpen = rssBytes(gatewayPid);

  const cpuBefore = cpuSeconds(gatewayPid);
  const flowStartedAt = Date.now();
  const offer = await offerOrders(target, steadyRate(settings.ordersPerSecond, settings.seconds));
  const ids = acceptedIds(offer.orders);
  const deadline = Date.now() + settings.settleSeconds * 1000;
  while (ids.some((id) => !tally.ended.has(id)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const flowSeconds = (Date.now() - flowStartedAt) / 1000;
  const cpuMsPerSecond = ((cpuSeconds(gatewayPid) - cpuBefore) * 1000) / flowSeconds;

  for (const client of wsClients) await client.dispose();
  for (const client of sseClients) client.dispose();
  const subscribers = settings.webSockets + settings.sse;
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  return {
    websocket_subscribers: settings.webSockets,
    sse_subscribers: settings.sse,
    open_s,
    gateway_rss_mb_before: round(rssBefore / 2 ** 20),
    gateway_rss_mb_open: round(rssOpen / 2 ** 20),
    kb_per_idle_subscriber: round((rssOpen - rssBefore) / 1024 / subscribers),
    orders: ids.length,
    order_frames: tally.orderFrames,
    orders_missing_their_end: ids.filter((id) => !tally.ended.has(id)).length,
    delivery_p50_ms: percentile(sorted, 50),
    delivery_p99_ms: percentile(sorted, 99),
    product_frames: tally.productFrames,
    gateway_cpu_ms_per_s: round(cpuMsPerSecond),
    gateway_cpu_ms_per_s_per_1000_subscribers: round(cpuMsPerSecond / (subscribers / 1000)),
    errors: tally.errors,
  };
}

function wsClient(url: string, token?: string): WsClient {
  return createWsClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
}

/** Subscribes and resolves once the connection is up (graphql-ws acknowledged it), so all are open before orders flow. */
function subscribed(
  client: WsClient,
  query: string,
  variables: Record<string, unknown>,
  onFrame: (frame: { data?: unknown }) => void,
  sink: { error(error: unknown): void; complete(): void },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
    client.on('error', reject);
    client.subscribe({ query, variables }, { next: onFrame, error: sink.error, complete: sink.complete });
  });
}
