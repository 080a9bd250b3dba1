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
  /**
   * Where each service's internal endpoints (`/metrics`, its JWKS) are reached: its
   * `<NAME>_INTERNAL_URL`, or its base URL when it serves them on its one port.
   */
  internalUrl: Record<ServiceName, string>;
  /** This process's internal port (`METRICS_PORT`); unset = `/metrics` and the JWKS on the service's own port. */
  metricsPort?: number;
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

const HTTP_URL = /^https?:\/\/[^/\s]+$/;

const internalUrl = z
  .string()
  .transform((value) => value.trim().replace(/\/+$/, ''))
  .refine((url) => HTTP_URL.test(url), 'not an http(s) URL without a path')
  .optional();

/** Unset, or a port other services can reach: 0 (any free port) would leave them guessing. */
const metricsPort = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return undefined;
    const number = Number(value);
    if (Number.isInteger(number) && number >= 1 && number <= 65535) return number;
    ctx.addIssue({ code: 'custom', message: `not a port from 1 to 65535: ${value}` });
    return z.NEVER;
  });

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
    // With METRICS_PORT, JWKS fetches go there (chart: http://gateway:9464); the public port no longer answers them.
    [`${upper}_INTERNAL_URL`]: custom({
      default: `<${upper}_URL>`,
      values: 'an http(s) URL',
      invalid: 'http://users:4001/metrics',
      description: `where the others reach the \`METRICS_PORT\` of ${name} (its JWKS) when it has one; default: the first of \`${upper}_URL\``,
      schema: internalUrl,
    }),
  };
}

/** Where every service listens and how the others reach it. */
export const peerSettingsGroup = settingsGroup(
  'peers',
  SERVICE_NAMES,
  {
    ...Object.assign({}, ...SERVICE_NAMES.map(peerSettings)),
    METRICS_PORT: custom({
      values: 'port 1 … 65535',
      invalid: '65536',
      description:
        "this process's internal port for `/metrics` and its JWKS, which its own port then no longer serves (chart: `9464`); unset = both on its own port",
      schema: metricsPort,
    }),
  } as Record<string, Setting<unknown>>,
  (values): PeerUrls => {
    const ports = {} as Record<ServiceName, number>;
    const instanceUrls = {} as Record<ServiceName, string[]>;
    const baseUrl = {} as Record<ServiceName, string>;
    const internalUrl = {} as Record<ServiceName, string>;
    for (const name of SERVICE_NAMES) {
      const upper = name.toUpperCase();
      ports[name] = values[`${upper}_PORT`] as number;
      instanceUrls[name] = (values[`${upper}_URL`] as string[] | undefined) ?? [`http://127.0.0.1:${ports[name]}`];
      baseUrl[name] = instanceUrls[name][0];
      internalUrl[name] = (values[`${upper}_INTERNAL_URL`] as string | undefined) ?? baseUrl[name];
    }
    return { ports, instanceUrls, baseUrl, internalUrl, metricsPort: values.METRICS_PORT as number | undefined };
  },
);
