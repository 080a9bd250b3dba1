import { SUBGRAPHS, loadSubgraphConfig, type SubgraphName } from '../../platform/config';
import { helm } from './helmBinary';
import { CHART, VALUE_SETS, renderChart } from './renderChart';
import type { Manifest } from './validateManifests';

// The bundled single-instance Postgres and NATS (helm/supergraph/charts/), enabled by
// ci/bundled-values.yaml; the generic checks (lint, schemas, probes, policies) run on that value set
// in helmChart.test.ts too.
const docs = renderChart(VALUE_SETS.bundled);
const all = (kind: string) => docs.filter((m) => m.kind === kind);
const named = (kind: string, name: string) => all(kind).find((m) => m.metadata.name === name)!;
const componentOf = (m: Manifest) => m.metadata.labels?.['app.kubernetes.io/component'];
const SUBGRAPH_NAMES = Object.keys(SUBGRAPHS) as SubgraphName[];

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values: string[] }[];
}
function selects(selector: Selector, labels: Record<string, string>): boolean {
  return (
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    (selector.matchExpressions ?? []).every((e) => e.operator === 'In' && e.values.includes(labels[e.key]))
  );
}
const podLabels = (m: Manifest) => m.spec.template.metadata.labels as Record<string, string>;

/** A container's environment, Secret and ConfigMap references resolved from the rendered objects. */
function env(m: Manifest): Record<string, string> {
  const [c] = m.spec.template.spec.containers;
  const out: Record<string, string> = {};
  for (const from of c.envFrom ?? []) Object.assign(out, named('ConfigMap', from.configMapRef.name).data);
  for (const e of c.env ?? []) {
    if (e.value !== undefined) out[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      out[e.name] = named('Secret', ref.name).stringData[ref.key];
    }
  }
  return out;
}

/** The Service behind a URL's host and port, and the StatefulSet whose pods it selects. */
function backendOf(url: string): { service: Manifest; statefulSet: Manifest } {
  const { hostname, port } = new URL(url);
  const service = named('Service', hostname);
  expect(service).toBeDefined();
  expect(service.spec.ports.map((p: any) => p.port)).toContain(Number(port));
  const statefulSet = all('StatefulSet').find((s) => selects({ matchLabels: service.spec.selector }, podLabels(s)))!;
  expect(statefulSet).toBeDefined();
  return { service, statefulSet };
}

describe('helm chart, bundled Postgres and NATS', () => {
  const deployments = all('Deployment');
  const subgraphs = deployments.filter((d) => componentOf(d) !== 'gateway');
  const [job] = all('Job');

  it('points DATABASE_URL (services and migration Job) and NATS_URL at the bundled Services', () => {
    expect(subgraphs).toHaveLength(SUBGRAPH_NAMES.length);
    for (const d of [...subgraphs, job]) {
      const svc = componentOf(d) === 'migrate' ? 'users' : (componentOf(d) as SubgraphName);
      const config = loadSubgraphConfig(svc, env(d));
      // The Job the admin's (the bundled Postgres's superuser), each subgraph its own role's.
      if (d === job) {
        expect(config.databaseUrl).toBe('postgres://supergraph:ci-only-not-a-secret@shop-postgresql:5432/postgres');
      } else {
        expect(config.databaseUrl).toMatch(
          new RegExp(`^postgres://supergraph_${svc}:[A-Za-z0-9]{32}@shop-postgresql:5432/supergraph_${svc}$`),
        );
      }
      expect(backendOf(config.databaseUrl).statefulSet.spec.template.spec.containers[0].image).toBe(
        'postgres:17.6-bookworm',
      );
      if (d === job) continue;
      expect(config.natsUrl).toBe('nats://shop-nats:4222');
      expect(backendOf(config.natsUrl).statefulSet.spec.template.spec.containers[0].image).toBe('nats:2.11.9-alpine');
    }
  });

  it('runs Postgres as uid 999 on a volume claim, its password from a Secret, probed with pg_isready', () => {
    const pg = named('StatefulSet', 'shop-postgresql');
    const pod = pg.spec.template.spec;
    const [c] = pod.containers;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999 });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(c.readinessProbe.exec.command[0]).toBe('pg_isready');
    expect(c.livenessProbe.exec.command[0]).toBe('pg_isready');
    const ref = c.env.find((e: any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef;
    expect(named('Secret', ref.name).stringData[ref.key]).toBe('ci-only-not-a-secret');
    const [claim] = pg.spec.volumeClaimTemplates;
    expect(claim.spec.resources.requests.storage).toBe('4Gi');
    expect(c.volumeMounts.find((m: any) => m.name === claim.metadata.name).mountPath).toBe('/var/lib/postgresql/data');
    const headless = named('Service', pg.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.ports[0].port).toBe(5432);
  });

  it('runs NATS non-root with JetStream on a volume claim, probed at /healthz on the monitoring port', () => {
    const nats = named('StatefulSet', 'shop-nats');
    const pod = nats.spec.template.spec;
    const [c] = pod.containers;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.args).toEqual(expect.arrayContaining(['-js', '-sd', '/data']));
    const [claim] = nats.spec.volumeClaimTemplates;
    expect(claim.spec.resources.requests.storage).toBe('1Gi');
    expect(c.volumeMounts.find((m: any) => m.name === claim.metadata.name).mountPath).toBe('/data');
    const monitor = c.ports.find((p: any) => p.containerPort === 8222).name;
    for (const probe of [c.readinessProbe, c.livenessProbe])
      expect(probe.httpGet).toEqual({ path: '/healthz', port: monitor });
    expect(named('Service', 'shop-nats').spec.ports.map((p: any) => p.port)).toEqual([4222, 8222]);
  });

  it('lets only the subgraphs (and, to Postgres, the migration Job; to NATS, the gateway) reach the bundled pods, and them reach it', () => {
    const policies = all('NetworkPolicy');
    const clients = { 'shop-postgresql': [...SUBGRAPH_NAMES, 'migrate'], 'shop-nats': [...SUBGRAPH_NAMES, 'gateway'] };
    for (const [name, expected] of Object.entries(clients)) {
      const target = named('StatefulSet', name);
      const [policy] = policies.filter((p) => selects(p.spec.podSelector, podLabels(target)));
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      const from = policy.spec.ingress.flatMap((rule: any) => rule.from);
      const allowed = [...deployments, job].filter((d) => from.some((f: any) => selects(f.podSelector, podLabels(d))));
      expect(allowed.map(componentOf).sort()).toEqual([...expected].sort());

      // And each of those may send to it: its own policy's egress selects the bundled pods.
      for (const client of allowed) {
        const own = policies.find((p) => componentOf(p) && selects(p.spec.podSelector, podLabels(client)))!;
        const reaches = own.spec.egress.some((rule: any) =>
          (rule.to ?? []).some((t: any) => t.podSelector && selects(t.podSelector, podLabels(target))),
        );
        expect(reaches).toBe(true);
      }
    }
  });
});

describe('helm chart, bundled Postgres and NATS switched off or misconfigured', () => {
  it('renders no StatefulSet or subchart object by default', () => {
    const defaults = renderChart([]);
    expect(defaults.filter((m) => m.kind === 'StatefulSet')).toEqual([]);
    expect(defaults.filter((m) => /postgresql|nats/.test(m.metadata.labels?.['app.kubernetes.io/name'] ?? ''))).toEqual(
      [],
    );
  });

  it('requires a Postgres password (a random one would change on every upgrade) and a boolean enabled', () => {
    const template =
      (...set: string[]) =>
      () =>
        helm(['template', 'shop', CHART, ...set.flatMap((s) => ['--set', s])]);
    expect(template('postgresql.enabled=true')).toThrow(/postgresql.auth.password or postgresql.auth.existingSecret/);
    expect(template('postgresql.enabled=true', 'postgresql.auth.existingSecret=pg')).toThrow(/database.existingSecret/);
    expect(template('postgresql.enabled=true', 'postgresql.auth.password=a b')).toThrow(/password/);
    expect(template('nats.enabled=yes')).toThrow(/enabled/);
  });
});
