import type { Express } from 'express';
import type { Logger } from '../logger';
import { TimeoutError, withTimeout } from '../withTimeout';

export type ReadinessCheck = () => Promise<void>;

/**
 * A readiness check either gates /ready (the service cannot serve without it)
 * or is only reported in its JSON (the service serves without it, in part).
 */
export interface NamedCheck {
  check: ReadinessCheck;
  /** false: shown in /ready's JSON, but a failure leaves the service ready. Default true. */
  gates?: boolean;
}

/** How long one readiness check may take before it counts as failing: /ready never hangs. */
export const READINESS_CHECK_TIMEOUT_MS = 1_500;

export type CheckStatus = 'ok' | 'failing' | 'timeout';

/**
 * The endpoints every service has beside /graphql.
 * /health: liveness, the process can serve (nothing outside it is asked).
 * /ready: readiness, every gating check passes (database reachable,
 * migrations done, ...), each within READINESS_CHECK_TIMEOUT_MS, answered as
 * `{ status, checks: { name: { status, durationMs, gates } } }` (a check that
 * does not gate, such as NATS for a subgraph, is reported but leaves the
 * service ready); 503 `draining` once
 * the service is stopping, so load balancers stop sending it new requests
 * while it finishes the ones it has. /metrics and the JWKS are served by
 * internalEndpoints.ts, on METRICS_PORT when it is set.
 */
export function mountServiceEndpoints(
  app: Express,
  checks: Record<string, ReadinessCheck | NamedCheck>,
  log: Logger,
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): { drain(): void } {
  let draining = false;
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    if (draining) return void res.status(503).set('cache-control', 'no-store').json({ status: 'draining', checks: {} });
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, entry]) => {
        const { check, gates = true } = typeof entry === 'function' ? { check: entry } : entry;
        return [name, { ...(await runCheck(name, check, timeoutMs, log)), gates }] as const;
      }),
    );
    const ready = results.every(([, result]) => result.status === 'ok' || !result.gates);
    res
      .status(ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
  return {
    drain() {
      draining = true;
    },
  };
}

async function runCheck(
  name: string,
  check: ReadinessCheck,
  timeoutMs: number,
  log: Logger,
): Promise<{ status: CheckStatus; durationMs: number }> {
  const started = Date.now();
  let status: CheckStatus = 'ok';
  try {
    await withTimeout(check(), timeoutMs, `readiness check ${name}`);
  } catch (error) {
    status = error instanceof TimeoutError ? 'timeout' : 'failing';
    // The detail (hosts, users) goes to the log, not to whoever can reach the probe.
    log.warn({ check: name, status, err: (error as Error).message }, 'readiness check failing');
  }
  return { status, durationMs: Date.now() - started };
}
