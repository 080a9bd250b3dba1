import net from 'node:net';

/**
 * Ports below Linux's ephemeral range (ip_local_port_range, 32768-60999 by default). A port the OS
 * picks for `listen(0)` comes from that range, which is also where every outgoing connection takes
 * its local port: between finding such a port free and a service binding it, a connection to
 * Postgres or NATS could take it (seen as EADDRINUSE in a test run). Nothing takes these unasked.
 */
const LOWEST = 20_000;
const HIGHEST = 32_000;
const TRIES = 50;
/** Handed out by this process already: a caller may take several before it binds any. */
const handedOut = new Set<number>();

/** A port nothing listens on right now, so a run never collides with another. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // before the await: a concurrent call must not take it meanwhile
    if (await bindable(port)) return port;
  }
  return bind(0);
}

async function bindable(port: number): Promise<boolean> {
  try {
    await bind(port);
    return true;
  } catch {
    return false;
  }
}

/** Binds `port` (0: any the OS picks) on 127.0.0.1, lets it go, and says which port it was. */
function bind(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}
