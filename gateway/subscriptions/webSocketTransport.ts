import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { parse, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { UserIdentity } from '../../platform/auth/identity';
import type { Logger } from '../../platform/logger';
import type { OriginCheck } from '../http/allowedOrigins';
import type { SubscriberAuth } from './subscriberAuth';
import type { SubscriptionService } from './SubscriptionService';

/** graphql-ws decides by the document whether to subscribe; the frames themselves come from the service. */
const FRAMES_DOCUMENT = parse('subscription Frames { frames }');

export interface WebSocketTransportOptions {
  path: string;
  service: SubscriptionService;
  auth: SubscriberAuth;
  isAllowedOrigin: OriginCheck;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  keepAliveMs: number;
  maxPayloadBytes: number;
  /** The client's address, as express would tell it (TRUST_PROXY). */
  ipOf(request: http.IncomingMessage): string;
  log: Logger;
}

interface ConnectionState {
  user?: UserIdentity;
  expiresAtMs?: number;
  lastEventId?: string;
  requestId: string;
  connection: { open: number };
  expiry?: NodeJS.Timeout;
}

/**
 * GraphQL over WebSocket (`graphql-transport-ws`, the graphql-ws library) on
 * the gateway's /graphql. The upgrade of a browser page whose origin may not
 * call the gateway is refused (403) before any WebSocket exists; the user's
 * token comes in connection_init's `authorization`, and the connection closes
 * with 4403 when that token expires.
 */
export function serveWebSockets(server: http.Server, options: WebSocketTransportOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const states = new WeakMap<WebSocket, ConnectionState>();

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    const origin = request.headers.origin;
    if (path !== options.path) return refuseUpgrade(socket, 404, 'Not Found');
    // Browsers always send Origin on a WebSocket; other clients are not confined by CORS anyway.
    if (origin !== undefined && !options.isAllowedOrigin(origin)) return refuseUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  const disposable = useServer<Record<string, unknown> | undefined, { state: ConnectionState }>(
    {
      onConnect: async (ctx) => {
        const payload = ctx.connectionParams ?? {};
        try {
          const signedIn = await options.auth.fromHeader(stringOrUndefined(payload.authorization));
          const state: ConnectionState = {
            ...signedIn,
            lastEventId: stringOrUndefined(payload.lastEventId),
            requestId: randomUUID(),
            connection: { open: 0 },
          };
          if (signedIn.expiresAtMs !== undefined) {
            state.expiry = setTimeout(
              () => ctx.extra.socket.close(CloseCode.Forbidden, 'Token expired'),
              Math.max(0, signedIn.expiresAtMs - Date.now()),
            );
          }
          states.set(ctx.extra.socket, state);
          return true;
        } catch (error) {
          options.log.info({ reason: (error as Error).message }, 'subscription connection refused');
          // graphql-ws closes with 4403 Forbidden.
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const state = states.get(ctx.extra.socket);
        if (!state) return [];
        const opened = await options.service.subscribe({
          query: payload.query,
          variables: payload.variables,
          operationName: payload.operationName,
          user: state.user,
          ip: options.ipOf(ctx.extra.request),
          requestId: state.requestId,
          transport: 'websocket',
          lastEventId: stringOrUndefined(payload.extensions?.lastEventId) ?? state.lastEventId,
          // No end of its own at expiry: the whole connection closes with 4403 then (onConnect).
          connection: state.connection,
        });
        if ('errors' in opened) return opened.errors;
        return { schema: undefined as never, document: FRAMES_DOCUMENT, contextValue: { frames: opened.frames } };
      },
      subscribe: (args) => (args.contextValue as { frames: AsyncGenerator }).frames as never,
      onError: (_ctx, _id, _payload, errors: readonly GraphQLError[]) =>
        errors.map((error) => options.formatError(error.toJSON(), error)),
      onClose: (ctx) => {
        const state = states.get(ctx.extra.socket);
        clearTimeout(state?.expiry);
      },
    },
    wss,
    options.keepAliveMs,
  );

  return {
    /** Closes every connection with 1001 (going away): graphql-ws clients reconnect, to another replica. */
    async close(): Promise<void> {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
