import { loadGatewayConfig } from '../../gateway/gatewayConfig';
import { renderChart } from './renderChart';
import { validateManifests, type Manifest } from './validateManifests';

const gatewayOf = (docs: Manifest[], kind: string) =>
  docs.find((m) => m.kind === kind && m.metadata.labels?.['app.kubernetes.io/component'] === 'gateway')!;

/** The gateway container's environment: the settings ConfigMap, then its own env (Secrets named, not read). */
function gatewayEnv(docs: Manifest[]): Record<string, string> {
  const [c] = gatewayOf(docs, 'Deployment').spec.template.spec.containers;
  const out: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    Object.assign(out, docs.find((m) => m.kind === 'ConfigMap' && m.metadata.name === from.configMapRef.name)!.data);
  }
  for (const e of c.env ?? []) {
    out[e.name] = e.value ?? `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`;
  }
  return out;
}

/** The gateway NetworkPolicy's egress rules on this port. */
const egressOn = (docs: Manifest[], port: number) =>
  gatewayOf(docs, 'NetworkPolicy').spec.egress.filter((rule: any) => rule.ports.some((p: any) => p.port === port));

describe('helm chart: the gateway behind its Ingress (TRUST_PROXY)', () => {
  it('trusts one proxy hop when the Ingress is enabled, so each client keeps its own budget', () => {
    const docs = renderChart(['--set', 'ingress.enabled=true']);
    const env = gatewayEnv(docs);
    expect(env.TRUST_PROXY).toBe('1');
    // A hop count, never `true`: a client's own X-Forwarded-For entries stay untrusted.
    expect(loadGatewayConfig({ ...env, SIGNING_KEY_FILE: '/k.pem' }).trustProxy).toBe(1);
  });

  it('takes the hop count from values, and trusts no proxy without the Ingress or with 0 hops', () => {
    expect(
      gatewayEnv(renderChart(['--set', 'ingress.enabled=true', '--set', 'ingress.trustedProxyHops=2'])).TRUST_PROXY,
    ).toBe('2');
    expect(gatewayEnv(renderChart([])).TRUST_PROXY).toBeUndefined();
    expect(
      gatewayEnv(renderChart(['--set', 'ingress.enabled=true', '--set', 'ingress.trustedProxyHops=0'])).TRUST_PROXY,
    ).toBeUndefined();
  });
});

describe('helm chart: the rate-limit budgets in Redis (REDIS_URL)', () => {
  it('gives the gateway no Redis and no way to one by default', () => {
    const docs = renderChart([]);
    expect(gatewayEnv(docs).REDIS_URL).toBeUndefined();
    expect(egressOn(docs, 6379)).toEqual([]);
  });

  it('passes REDIS_URL to the gateway and lets it reach Redis on its port, only there', () => {
    const docs = renderChart([
      '--set',
      'gateway.redis.url=redis://redis.cache:6380',
      '--set',
      'gateway.redis.port=6380',
      '--set',
      'gateway.redis.to[0].namespaceSelector.matchLabels.name=cache',
    ]);
    expect(validateManifests(docs).filter((r) => r.error)).toEqual([]);
    const env = gatewayEnv(docs);
    expect(env.REDIS_URL).toBe('redis://redis.cache:6380');
    expect(loadGatewayConfig({ ...env, SIGNING_KEY_FILE: '/k.pem' }).rateLimits.redisUrl).toBe(
      'redis://redis.cache:6380',
    );
    expect(egressOn(docs, 6380)).toEqual([
      { ports: [{ port: 6380, protocol: 'TCP' }], to: [{ namespaceSelector: { matchLabels: { name: 'cache' } } }] },
    ]);
    // The subgraphs keep no budgets: no egress to Redis for them.
    const subgraphPolicies = docs.filter(
      (m) =>
        m.kind === 'NetworkPolicy' &&
        !['gateway', 'migrate', undefined].includes(m.metadata.labels?.['app.kubernetes.io/component']),
    );
    expect(subgraphPolicies.length).toBeGreaterThan(0);
    for (const policy of subgraphPolicies) {
      expect(policy.spec.egress.some((rule: any) => rule.ports.some((p: any) => p.port === 6380))).toBe(false);
    }
  });

  it('reads REDIS_URL from a Secret when given one, keeping a password out of the ConfigMap', () => {
    const docs = renderChart([
      '--set',
      'gateway.redis.url=redis://:not-this@redis:6379',
      '--set',
      'gateway.redis.existingSecret=shop-redis',
    ]);
    expect(gatewayEnv(docs).REDIS_URL).toBe('secret:shop-redis/REDIS_URL');
    expect(JSON.stringify(docs.filter((m) => m.kind === 'ConfigMap'))).not.toContain('not-this');
    expect(egressOn(docs, 6379)).toEqual([{ ports: [{ port: 6379, protocol: 'TCP' }] }]);
  });
});
