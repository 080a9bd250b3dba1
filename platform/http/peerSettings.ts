import { z } from 'zod';
import { GATEWAY_DEFAULT_PORT, SERVICE_NAMES, SUBGRAPHS, type ServiceName } from '../serviceNames';
import { custom, port, type Setting } from '../settings/setting';
import { settingsGroup } from '../settings/settingsGroup';

export interface PeerUrls {
  /** Base URL (no path) of every service, by name: the first of its instances. */
  baseUrl: Record<ServiceName, string>;
  /**
   * Every instance of every service (`PRODUCTS_URL=http://p1:4002,http://p2:4002`);
   * the gateway balances over them, other callers use the first.
   */
  instanceUrls: Record<ServiceName, string[]>;
  ports: Record<ServiceName, number>;
}

const DEFAULT_PORTS: Record<ServiceName, number> = { gateway: GATEWAY_DEFAULT_PORT, ...SUBGRAPHS };

const urlList = z
  .string()
  .transform((value, ctx) => {
    const urls = value
      .split(',')
      .map((url) => url.trim().replace(/\/+$/, ''))
      .filter((url) => url !== '');
    const bad = urls.find((url) => !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(url));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `not an http(s) URL: ${bad}` });
    else if (urls.length === 0) ctx.addIssue({ code: 'custom', message: 'no URL' });
    return urls;
  })
  .optional();

function peerSettings(name: ServiceName): Record<string, Setting<unknown>> {
  const upper = name.toUpperCase();
  return {
    [`${upper}_PORT`]: port({ default: DEFAULT_PORTS[name], description: `port of ${name}` }),
    // A deployment (compose, Kubernetes) names peers by DNS: USERS_URL=http://users:4001
    [`${upper}_URL`]: custom({
      default: `http://127.0.0.1:<${upper}_PORT>`,
      values: 'comma-separated http(s) URLs',
      invalid: 'ftp://users',
      description: `where the others reach ${name} (a DNS name in a cluster); several: every instance, balanced by the gateway, the first for others`,
      schema: urlList,
    }),
  };
}

/** Where every service listens and how the others reach it. */
export const peerSettingsGroup = settingsGroup(
  'peers',
  SERVICE_NAMES,
  Object.assign({}, ...SERVICE_NAMES.map(peerSettings)) as Record<string, Setting<unknown>>,
  (values): PeerUrls => {
    const ports = {} as Record<ServiceName, number>;
    const instanceUrls = {} as Record<ServiceName, string[]>;
    const baseUrl = {} as Record<ServiceName, string>;
    for (const name of SERVICE_NAMES) {
      const upper = name.toUpperCase();
      ports[name] = values[`${upper}_PORT`] as number;
      instanceUrls[name] = (values[`${upper}_URL`] as string[] | undefined) ?? [`http://127.0.0.1:${ports[name]}`];
      baseUrl[name] = instanceUrls[name][0];
    }
    return { ports, instanceUrls, baseUrl };
  },
);
