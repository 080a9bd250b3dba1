import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface Listening {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port) and closes by draining open requests. */
export async function listen(app: Express, host: string, port: number): Promise<Listening> {
  const server = http.createServer(app);
  // Longer than a typical load balancer's idle timeout, so it closes first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
