import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { jwks, type SigningKey } from '../auth/signingKey';
import { ConfigError } from '../settings/settingsGroup';
import type { Logger } from '../logger';
import { listen } from './listen';

export interface InternalEndpoints {
  /** Where they answer: the service's own port, or METRICS_PORT. */
  port: number;
  /** Closes METRICS_PORT's server; a no-op when they share the service's port (its close covers them). */
  close(): Promise<void>;
}

/**
 * /metrics (Prometheus text) and /.well-known/jwks.json (the public keys of the
 * tokens this service signs): for the cluster, not for the internet. With
 * `metricsPort` they get a server of their own on that port, which the chart
 * keeps off the Ingress and admits only from monitoring and the services that
 * verify this one's tokens; the public port then answers neither (404). Without
 * it (dev, compose) they are served on `app`, beside /graphql, as before.
 */
export async function serveInternalEndpoints(
  app: Express,
  listenOn: { host: string; port: number; metricsPort?: number },
  registry: Registry,
  key: SigningKey,
  log: Logger,
): Promise<InternalEndpoints> {
  if (listenOn.metricsPort === undefined) {
    mountInternalEndpoints(app, registry, key, log);
    return { port: listenOn.port, close: async () => undefined };
  }
  if (listenOn.metricsPort === listenOn.port) {
    throw new ConfigError(`invalid setting METRICS_PORT: ${listenOn.metricsPort} is the service's own port`);
  }
  const internal = express();
  internal.disable('x-powered-by');
  mountInternalEndpoints(internal, registry, key, log);
  const server = await listen(internal, listenOn.host, listenOn.metricsPort);
  log.info({ port: server.port }, 'metrics and JWKS on their own port');
  return { port: server.port, close: () => server.close() };
}

function mountInternalEndpoints(app: Express, registry: Registry, key: SigningKey, log: Logger): void {
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.json(jwks(key));
  });
  app.get('/metrics', async (_req, res) => {
    try {
      res.type(registry.contentType).send(await registry.metrics());
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'collecting metrics failed');
      res.status(500).type('text/plain').send('collecting metrics failed\n');
    }
  });
}
