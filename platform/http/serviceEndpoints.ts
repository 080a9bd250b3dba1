import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';
import { jwks, type SigningKey } from '../auth/signingKey';

export type ReadinessCheck = () => Promise<void>;

/**
 * The endpoints every service has beside /graphql.
 * /health: the process is alive. /ready: every check passes (database
 * reachable, migrations done, ...), with the failing check named. /metrics:
 * Prometheus text.
 */
export function mountServiceEndpoints(
  app: Express,
  checks: Record<string, ReadinessCheck>,
  registry: Registry,
  log: Logger,
  key: SigningKey,
): void {
  // The service's public keys, for whoever verifies the tokens it signs.
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.json(jwks(key));
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch (error) {
          // The detail (hosts, users) goes to the log, not to whoever can reach the probe.
          log.warn({ check: name, err: (error as Error).message }, 'readiness check failing');
          return [name, 'failing'] as const;
        }
      }),
    );
    const ready = results.every(([, status]) => status === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
}
