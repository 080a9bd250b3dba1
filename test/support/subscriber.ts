import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface Frame<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
  extensions?: { eventId?: string };
}

/** One subscription through the gateway, as a front end holds it: the frames so far, and how it ended. */
export interface Subscribed<T> {
  frames: Frame<T>[];
  /** Resolves when the stream completes; rejects with what ended it otherwise (a refusal, a close). */
  ended: Promise<void>;
  /** Waits until `count` frames have come, or fails after `timeoutMs`. */
  until(count: number, timeoutMs?: number): Promise<Frame<T>[]>;
  close(): void;
}

export interface SubscribeOptions {
  token?: string;
  lastEventId?: string;
  origin?: string;
}

/** One graphql-ws (graphql-transport-ws) connection to the gateway's /graphql, carrying any number of subscriptions. */
export function webSocketConnection(gatewayUrl: string, options: SubscribeOptions = {}) {
  const client = createWsClient({
    url: gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols, options.origin ? { headers: { origin: options.origin } } : {});
      }
    },
    connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  return {
    subscribe<T, V>(document: TypedDocumentNode<T, V>, variables: V, lastEventId = options.lastEventId): Subscribed<T> {
      return collect<T>(
        (sink) =>
          client.subscribe(
            {
              query: print(document),
              variables: variables as Record<string, unknown>,
              ...(lastEventId ? { extensions: { lastEventId } } : {}),
            },
            sink,
          ),
        () => undefined,
      );
    },
    close: () => void client.dispose(),
  };
}

/** One subscription on a graphql-ws connection of its own. */
export function subscribeOverWebSocket<T, V>(
  gatewayUrl: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  options: SubscribeOptions = {},
): Subscribed<T> {
  const connection = webSocketConnection(gatewayUrl, options);
  const subscribed = connection.subscribe(document, variables);
  return {
    ...subscribed,
    close() {
      subscribed.close();
      connection.close();
    },
  };
}

/** graphql-sse (distinct connections) on the gateway's /graphql. */
export function subscribeOverSse<T, V>(
  gatewayUrl: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  options: SubscribeOptions = {},
): Subscribed<T> {
  const client = createSseClient({
    url: gatewayUrl,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
    },
    retryAttempts: 0,
  });
  return collect<T>(
    (sink) => client.subscribe({ query: print(document), variables: variables as Record<string, unknown> }, sink),
    () => client.dispose(),
  );
}

type Sink = { next(value: unknown): void; error(error: unknown): void; complete(): void };

function collect<T>(start: (sink: Sink) => () => void, dispose: () => void): Subscribed<T> {
  const frames: Frame<T>[] = [];
  const waiters: (() => void)[] = [];
  let unsubscribe = () => undefined as void;
  const ended = new Promise<void>((resolve, reject) => {
    unsubscribe = start({
      next: (value) => {
        frames.push(value as Frame<T>);
        for (const wake of waiters.splice(0)) wake();
      },
      error: (error) => {
        reject(error);
        for (const wake of waiters.splice(0)) wake();
      },
      complete: () => {
        resolve();
        for (const wake of waiters.splice(0)) wake();
      },
    });
  });
  ended.catch(() => undefined);
  return {
    frames,
    ended,
    async until(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (frames.length < count) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`${frames.length} of ${count} frames after ${timeoutMs} ms: ${JSON.stringify(frames)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return frames.slice(0, count);
    },
    close() {
      unsubscribe();
      dispose();
    },
  };
}
