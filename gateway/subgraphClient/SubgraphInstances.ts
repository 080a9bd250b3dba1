import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from '../../platform/logger';
import type { SubgraphClientMetrics } from './subgraphClientMetrics';
import { SubgraphInstance, type InstanceSettings } from './SubgraphInstance';

/** Every address a host name resolves to (A and AAAA). */
export type ResolveAddresses = (host: string) => Promise<string[]>;

const resolveWithSystem: ResolveAddresses = async (host) =>
  (await lookup(host, { all: true })).map((entry) => entry.address);

export interface InstancesOptions extends InstanceSettings {
  /** > 0: host names are resolved to every address they have, again at this interval. */
  dnsRefreshMs: number;
  resolve?: ResolveAddresses;
}

/**
 * The instances of one subgraph: one per configured base URL, or, with DNS
 * discovery on, one per address each URL's host name resolves to (a headless
 * Kubernetes Service, say). A refresh keeps the instances that are still
 * there with their breaker state, adds new ones and closes the ones gone once
 * their calls finish. https URLs are never expanded: TLS needs the name.
 */
export class SubgraphInstances {
  private current: SubgraphInstance[] = [];
  private timer?: NodeJS.Timeout;
  private readonly resolve: ResolveAddresses;
  /** What each base URL resolved to last time, kept when a lookup fails. */
  private readonly lastOrigins = new Map<string, string[]>();

  constructor(
    private readonly subgraph: string,
    private readonly baseUrls: readonly string[],
    private readonly options: InstancesOptions,
    private readonly metrics: SubgraphClientMetrics,
    private readonly log: Logger,
  ) {
    this.resolve = options.resolve ?? resolveWithSystem;
  }

  get list(): readonly SubgraphInstance[] {
    return this.current;
  }

  async start(): Promise<void> {
    await this.refresh();
    if (this.options.dnsRefreshMs > 0) {
      this.timer = setInterval(() => void this.refresh(), this.options.dnsRefreshMs);
      this.timer.unref();
    }
  }

  async refresh(): Promise<void> {
    const wanted = new Map<string, { origin: string; path: string }>();
    for (const baseUrl of this.baseUrls) {
      const url = new URL(baseUrl);
      const path = `${url.pathname.replace(/\/+$/, '')}/graphql`;
      const origins = await this.originsOf(baseUrl, url);
      this.lastOrigins.set(baseUrl, origins);
      for (const origin of origins) wanted.set(`${origin}${path}`, { origin, path });
    }
    const kept = this.current.filter((instance) => wanted.has(instance.key));
    const gone = this.current.filter((instance) => !wanted.has(instance.key));
    const added = [...wanted]
      .filter(([key]) => !kept.some((instance) => instance.key === key))
      .map(([, { origin, path }]) => new SubgraphInstance(this.subgraph, origin, path, this.options, this.metrics));
    if (added.length === 0 && gone.length === 0) return;
    this.current = [...kept, ...added];
    this.log.info({ subgraph: this.subgraph, instances: this.current.map((i) => i.origin) }, 'subgraph instances');
    await Promise.all(gone.map((instance) => instance.close()));
  }

  private async originsOf(baseUrl: string, url: URL): Promise<string[]> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (this.options.dnsRefreshMs === 0 || url.protocol !== 'http:' || isIP(host) !== 0) return [url.origin];
    try {
      const addresses = [...new Set(await this.resolve(host))];
      if (addresses.length === 0) throw new Error('no address');
      const port = url.port || '80';
      return addresses.map((address) => `http://${isIP(address) === 6 ? `[${address}]` : address}:${port}`);
    } catch (error) {
      // Keep serving with what we had (or the name itself at start); DNS hiccups are not outages.
      this.log.warn({ subgraph: this.subgraph, host, err: error }, 'subgraph DNS lookup failed');
      return this.lastOrigins.get(baseUrl) ?? [url.origin];
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.current.map((instance) => instance.close()));
  }
}
