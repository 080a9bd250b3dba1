import path from 'node:path';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { custom, integer, text } from '../platform/settings/setting';
import { settingsGroup } from '../platform/settings/settingsGroup';

/** Addresses, subnets and proxy-addr's names for ranges (`loopback`, `linklocal`, `uniquelocal`); empty = none. */
const networks = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const list = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    try {
      proxyAddr.compile(list);
      return list;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** What the gateway serves and how it stops. */
export const gatewaySettings = settingsGroup(
  'gateway',
  ['gateway'],
  {
    SUPERGRAPH_PATH: text({
      default: 'schema/supergraph.graphql',
      description: 'the composed supergraph the gateway serves; it reloads the file when it changes',
    }),
    SHUTDOWN_DELAY_MS: integer({
      default: 0,
      min: 0,
      description: 'after SIGTERM, how long `/ready` answers 503 while requests are still served (chart: `5000`)',
    }),
    GATEWAY_MAX_CONCURRENT_REQUESTS: integer({
      default: 1000,
      min: 1,
      description:
        'HTTP requests to /graphql in flight at once; beyond it 503 `SERVICE_UNAVAILABLE` with `Retry-After`, before the body is read (WebSocket and SSE subscriptions have their own caps)',
    }),
    TRACE_TRUSTED_NETWORKS: custom({
      default: '',
      values: 'addresses, subnets (`10.0.0.0/8`), `loopback`, `linklocal`, `uniquelocal`',
      invalid: 'somewhere',
      description:
        "the connection peers whose `traceparent` the gateway continues; from any other a request starts a new trace; empty = none (the peer is the socket's, never X-Forwarded-For)",
      schema: networks,
    }),
  },
  (s) => ({
    supergraphPath: path.resolve(s.SUPERGRAPH_PATH),
    shutdownDelayMs: s.SHUTDOWN_DELAY_MS,
    maxConcurrentRequests: s.GATEWAY_MAX_CONCURRENT_REQUESTS,
    traceTrustedNetworks: s.TRACE_TRUSTED_NETWORKS,
  }),
);
