import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface Listening {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on host:port (0 = any free port) and closes by draining open requests.
 * `prepare` sees the server before it accepts a connection (the gateway's trace-context trust).
 */
export async function listen(
  app: Express,
  host: string,
  port: number,
  prepare?: (server: http.Server) => void,
): Promise<Listening> {
  const server = http.createServer(app);
  prepare?.(server);
  // Longer than a typical load balancer's idle timeout, so it closes first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  let closing = false;
  const inFlight = new Set<http.ServerResponse>();
  // close() ends only connections idle at that moment. A request still in flight would leave its
  // keep-alive connection open for keepAliveTimeout afterwards, so close() (and the drain) would
  // wait a minute: once closing, every answer says Connection: close, and its socket ends with it.
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (closing) server.closeIdleConnections();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
