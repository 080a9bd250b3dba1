import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A client connection and, unless it is held by a stall, its connection to the server. */
interface Link {
  client: net.Socket;
  upstream?: net.Socket;
}

/**
 * A TCP proxy in front of a server (the machine's shared Postgres, say) that
 * a test can cut, stall and restore, as an outage would, without touching the
 * server itself: cut drops every open connection and refuses new ones; stall
 * accepts connections and passes nothing either way (a hung server or a
 * black-holed network: nothing is refused, nothing ever answers).
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private readonly server: net.Server;
  private mode: 'open' | 'cut' | 'stalled' = 'open';
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = net.createServer((client) => {
      if (this.mode === 'cut') return client.destroy();
      const link: Link = { client };
      this.links.add(link);
      client.on('error', () => undefined);
      client.once('close', () => {
        this.links.delete(link);
        link.upstream?.destroy();
      });
      // Stalled: accepted, and held until the stall ends.
      if (this.mode === 'open') this.connect(link);
    });
  }

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  /** Drops every connection and refuses new ones. */
  cutOff(): void {
    this.mode = 'cut';
    for (const link of this.links) link.client.destroy();
  }

  /** Open connections stop passing bytes and new ones are accepted but never answered, until restore(). */
  stall(): void {
    this.mode = 'stalled';
    for (const { client, upstream } of this.links) {
      if (!upstream) continue;
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Back to passing everything: a stall ends with what it held delivered, late, as a slow network would. */
  restore(): void {
    const wasStalled = this.mode === 'stalled';
    this.mode = 'open';
    if (!wasStalled) return;
    for (const link of this.links) {
      if (!link.upstream) this.connect(link);
      else link.client.pipe(link.upstream).pipe(link.client);
    }
  }

  async close(): Promise<void> {
    this.cutOff();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connect(link: Link): void {
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort });
    link.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.once('close', () => link.client.destroy());
    link.client.pipe(upstream).pipe(link.client);
  }
}
