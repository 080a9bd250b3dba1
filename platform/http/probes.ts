import type { Express } from 'express';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void>;

/**
 * /health: the process is alive. /ready: every check passes (database
 * reachable, migrations done, ...), with the failing check named. /metrics:
 * Prometheus text.
 */
export function mountProbes(app: Express, checks: Record<string, ReadinessCheck>, registry: Registry): void {
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
          return [name, `failing: ${(error as Error).message}`] as const;
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
