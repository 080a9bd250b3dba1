import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GATEWAY_DEFAULT_PORT, SUBGRAPHS, loadSubgraphConfig, type SubgraphName } from '../../platform/config';
import { loadGatewayConfig } from '../../gateway/gatewayConfig';
import { sagaAdmissionSettings } from '../../subgraphs/orders/sagaAdmissionSettings';
import { helm } from './helmBinary';
import { CHART, REPO, VALUE_SETS, renderChart } from './renderChart';
import { validateManifests, type Manifest } from './validateManifests';

const DEFAULT_PORTS: Record<string, number> = { gateway: GATEWAY_DEFAULT_PORT, ...SUBGRAPHS };
const SERVICES = Object.keys(DEFAULT_PORTS);
// Who calls whom over HTTP (besides every subgraph fetching the gateway's JWKS): see each subgraph's definition.ts.
const CALLS: [string, string][] = [
  ...Object.keys(SUBGRAPHS).map((s): [string, string] => ['gateway', s]),
  ['products', 'inventory'],
  ['orders', 'products'],
];

const rendered = Object.fromEntries(Object.entries(VALUE_SETS).map(([name, args]) => [name, renderChart(args)]));
const all = (kind: string, set: string) => rendered[set].filter((m) => m.kind === kind);
const componentOf = (m: Manifest) => m.metadata.labels?.['app.kubernetes.io/component'] as string;
const annotations = (m: Manifest) => (m.metadata.annotations ?? {}) as Record<string, string>;
const hookWeight = (m: Manifest) => Number(annotations(m)['helm.sh/hook-weight'] ?? 0);
// With the bundled Postgres there is no database before install: the hook runs on upgrades only.
const hookFor = (set: string) => (set === 'bundled' ? 'pre-upgrade' : 'pre-install,pre-upgrade');
const HOOK_DELETE_POLICY = 'before-hook-creation,hook-succeeded';
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(Object.keys(VALUE_SETS))('helm chart, %s values', (set) => {
  const docs = rendered[set];
  const deployments = all('Deployment', set);

  it('passes helm lint', () => {
    expect(helm(['lint', CHART, ...VALUE_SETS[set]])).toMatch(/0 chart\(s\) failed/);
  });

  it('renders only manifests that validate against the Kubernetes, Istio and prometheus-operator schemas', () => {
    expect(docs.length).toBeGreaterThan(20);
    expect(validateManifests(docs).filter((r) => r.error)).toEqual([]);
  });

  it('runs one Deployment and Service per service on its default port, probed at /health and /ready', () => {
    expect(deployments.map(componentOf).sort()).toEqual([...SERVICES].sort());
    for (const d of deployments) {
      const svc = componentOf(d);
      const [c] = d.spec.template.spec.containers;
      expect(c.command).toEqual(['node', svc === 'gateway' ? 'dist/gateway/main.js' : `dist/subgraphs/${svc}/main.js`]);
      expect(c.ports).toEqual([{ name: 'http', containerPort: DEFAULT_PORTS[svc], protocol: 'TCP' }]);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(c.resources.requests).toBeDefined();

      const service = all('Service', set).find((s) => componentOf(s) === svc)!;
      expect(service.spec.ports[0]).toMatchObject({ port: DEFAULT_PORTS[svc], targetPort: 'http' });
      expect(matches(service.spec.selector, d.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('runs as non-root on a read-only root filesystem, with DATA_DIR on an emptyDir', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const [c] = pod.containers;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      const dataMount = c.volumeMounts.find((m: any) => m.mountPath === env(d, set).DATA_DIR);
      expect(pod.volumes.find((v: any) => v.name === dataMount.name).emptyDir).toBeDefined();
    }
  });

  it('gives every service the settings its config loader requires, peers by their Service DNS names', () => {
    const services = all('Service', set);
    for (const d of deployments) {
      const svc = componentOf(d);
      const e = env(d, set);
      const config = svc === 'gateway' ? loadGatewayConfig(e) : loadSubgraphConfig(svc as SubgraphName, e);
      expect(config.host).toBe('0.0.0.0');
      expect(config.production).toBe(true);
      expect(e.SIGNING_KEY_FILE).toBeDefined();
      expect((config as { port: number }).port).toBe(DEFAULT_PORTS[svc]);
      for (const peer of SERVICES) {
        const s = services.find((x) => componentOf(x) === peer)!;
        expect(config.baseUrl[peer as SubgraphName]).toBe(`http://${s.metadata.name}:${s.spec.ports[0].port}`);
      }
      if (svc !== 'gateway') expect(e.DATABASE_URL).toMatch(/^postgres/);
      // Every stream's limits; the HA values replicate them on a NATS cluster, the bundled NATS is smaller.
      if (svc !== 'gateway') {
        expect(loadSubgraphConfig(svc as SubgraphName, e).events.stream).toEqual({
          maxAgeMs: 168 * 3_600_000,
          maxBytes: set === 'bundled' ? 128 * 1_048_576 : 1_073_741_824,
          replicas: set === 'ha' ? 3 : 1,
        });
      }
      // The chart's saga values reach placeOrder's admission control and every service's order deadline.
      if (svc === 'orders')
        expect(sagaAdmissionSettings.read(e).sagaAdmission).toMatchObject({ maxDrainSeconds: 60, burst: 500 });
      if (svc !== 'gateway') expect(loadSubgraphConfig(svc as SubgraphName, e).orderDeadlineMs).toBe(15 * 60_000);
    }
  });

  it('lets only the gateway and the services that call each other reach a subgraph', () => {
    // The bundled subcharts' own policies carry no component label.
    const policies = all('NetworkPolicy', set).filter((p) => componentOf(p) && componentOf(p) !== 'migrate');
    expect(policies.map(componentOf).sort()).toEqual([...SERVICES].sort());
    const podLabels = (svc: string) => deployments.find((d) => componentOf(d) === svc)!.spec.template.metadata.labels;
    for (const p of policies) {
      const svc = componentOf(p);
      expect(matches(p.spec.podSelector.matchLabels, podLabels(svc))).toBe(true);
      // Callers send requests; callees fetch the caller's JWKS: both directions are needed.
      const peers = CALLS.filter(([a, b]) => a === svc || b === svc).map(([a, b]) => (a === svc ? b : a));
      const from = p.spec.ingress
        .flatMap((rule: any) => rule.from ?? [])
        .filter((f: any) => f.podSelector)
        .map((f: any) => SERVICES.find((s) => matches(f.podSelector.matchLabels, podLabels(s))));
      if (svc === 'gateway') continue;
      expect(from.sort()).toEqual(peers.sort());
      expect(p.spec.ingress.every((rule: any) => rule.from?.length > 0)).toBe(true);
      const egressPorts = p.spec.egress.flatMap((rule: any) => rule.ports.map((port: any) => port.port));
      expect(egressPorts).toEqual(expect.arrayContaining([53, 5432, 4222, GATEWAY_DEFAULT_PORT]));
    }
  });

  it('migrates in a pre-install/pre-upgrade hook Job, non-root on a read-only root filesystem', () => {
    const jobs = all('Job', set);
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(componentOf(job)).toBe('migrate');
    expect(annotations(job)).toMatchObject({
      'helm.sh/hook': hookFor(set),
      'helm.sh/hook-delete-policy': HOOK_DELETE_POLICY,
    });
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(0);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const pod = job.spec.template.spec;
    const [c] = pod.containers;
    expect(pod.containers).toHaveLength(1);
    expect(pod.restartPolicy).toBe('Never');
    expect(c.command).toEqual(['node', 'dist/scripts/migrate.js']);
    expect(c.image).toBe(deployments[0].spec.template.spec.containers[0].image);
    expect(c.resources.requests).toBeDefined();
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    for (const mount of c.volumeMounts ?? []) {
      expect(pod.volumes.find((v: any) => v.name === mount.name).emptyDir).toBeDefined();
    }
    // The release's own ServiceAccount does not exist yet at pre-install time.
    const serviceAccounts = all('ServiceAccount', set).map((sa) => sa.metadata.name);
    expect(serviceAccounts).not.toContain(pod.serviceAccountName);
    expect(pod.automountServiceAccountToken).toBe(false);
    // An injected mesh sidecar would keep the Job from ever completing.
    expect(job.spec.template.metadata.annotations['sidecar.istio.io/inject']).toBe('false');
    // No Deployment, Service, PDB or service NetworkPolicy selects the Job's pod.
    const podLabels = job.spec.template.metadata.labels;
    for (const d of deployments) expect(matches(d.spec.selector.matchLabels, podLabels)).toBe(false);
    for (const s of all('Service', set)) expect(matches(s.spec.selector, podLabels)).toBe(false);
  });

  it('gives the migration Job the database settings, from objects that exist when the hook runs', () => {
    const [job] = all('Job', set);
    const [c] = job.spec.template.spec.containers;
    // Nothing from the settings ConfigMap: at pre-install time it is not there yet.
    expect(c.envFrom).toBeUndefined();
    const e = env(job, set);
    const config = loadSubgraphConfig('users', e);
    expect(config.production).toBe(true);
    const users = deployments.find((d) => componentOf(d) === 'users')!;
    const usersConfig = loadSubgraphConfig('users', env(users, set));
    expect(config.databaseName).toBe(usersConfig.databaseName);
    expect(config.databaseUrl).toBe(usersConfig.databaseUrl);

    const refs = c.env.filter((x: any) => x.valueFrom).map((x: any) => x.valueFrom.secretKeyRef);
    expect(refs).toHaveLength(1);
    const [ref] = refs;
    expect(c.env.find((x: any) => x.name === 'DATABASE_URL').valueFrom.secretKeyRef).toBe(ref);
    const secret = all('Secret', set).find((s) => s.metadata.name === ref.name);
    if (set === 'external-db') {
      // The operator's Secret, created before the release.
      expect(secret).toBeUndefined();
      expect(ref).toEqual({ name: 'supergraph-database', key: 'url' });
    } else {
      // A hook-scoped copy, created before the Job and removed with it.
      expect(secret).toBeDefined();
      expect(annotations(secret!)).toMatchObject({
        'helm.sh/hook': hookFor(set),
        'helm.sh/hook-delete-policy': HOOK_DELETE_POLICY,
      });
      expect(hookWeight(secret!)).toBeLessThan(hookWeight(job));
      expect(secret!.stringData[ref.key]).toMatch(/^postgres:\/\//);
    }
  });

  it('lets the migration Job reach only DNS and Postgres, through a policy that exists when the hook runs', () => {
    const [job] = all('Job', set);
    const podLabels = job.spec.template.metadata.labels;
    const selecting = all('NetworkPolicy', set).filter((p) => matches(p.spec.podSelector.matchLabels, podLabels));
    expect(selecting).toHaveLength(1);
    const [policy] = selecting;
    expect(annotations(policy)).toMatchObject({
      'helm.sh/hook': hookFor(set),
      'helm.sh/hook-delete-policy': HOOK_DELETE_POLICY,
    });
    expect(hookWeight(policy)).toBeLessThan(hookWeight(job));
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([]);
    const ports = policy.spec.egress.flatMap((rule: any) => rule.ports.map((port: any) => port.port));
    expect(ports.sort()).toEqual([53, 53, 5432]);
    const postgres = policy.spec.egress.find((rule: any) => rule.ports[0].port === 5432);
    if (set === 'external-db') expect(postgres.to).toEqual([{ ipBlock: { cidr: '10.20.0.0/16' } }]);
  });

  it('keeps a PodDisruptionBudget (and, when autoscaling, an HPA) on every Deployment', () => {
    for (const kind of ['PodDisruptionBudget', ...(set === 'ha' ? ['HorizontalPodAutoscaler'] : [])]) {
      expect(all(kind, set).map(componentOf).sort()).toEqual([...SERVICES].sort());
    }
    for (const pdb of all('PodDisruptionBudget', set)) {
      const d = deployments.find((x) => componentOf(x) === componentOf(pdb))!;
      expect(matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    }
    for (const hpa of all('HorizontalPodAutoscaler', set)) {
      expect(deployments.map((d) => d.metadata.name)).toContain(hpa.spec.scaleTargetRef.name);
      expect(deployments.find((d) => d.metadata.name === hpa.spec.scaleTargetRef.name)!.spec.replicas).toBeUndefined();
    }
  });
});

/** The Prometheus metric names the services' sources declare (`name: 'orders_saga_overdue'`). */
function declaredMetrics(): string[] {
  const names: string[] = [];
  for (const dir of ['platform', 'subgraphs', 'gateway']) {
    for (const file of readdirSync(path.join(REPO, dir), { recursive: true }) as string[]) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const source = readFileSync(path.join(REPO, dir, file), 'utf8');
      // `name: 'x'` in a metric's options, or the first argument of a gauge-making helper (consumerGauge('x', ...)).
      for (const match of source.matchAll(/(?:\bname: |Gauge\(\s*)'([a-z_:][a-z0-9_:]*)'/g)) names.push(match[1]);
    }
  }
  return names;
}

/** A container's environment as the process would see it, with Secret values stood in for. */
function env(d: Manifest, set: string): Record<string, string> {
  const [c] = d.spec.template.spec.containers;
  const out: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const cm = all('ConfigMap', set).find((m) => m.metadata.name === from.configMapRef.name);
    if (!cm) throw new Error(`ConfigMap ${from.configMapRef.name} is not rendered`);
    Object.assign(out, cm.data);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) out[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) out[e.name] = secretValue(set, e.valueFrom.secretKeyRef);
  }
  return out;
}

function secretValue(set: string, ref: { name: string; key: string }): string {
  const secret = all('Secret', set).find((s) => s.metadata.name === ref.name);
  if (secret) return secret.stringData[ref.key];
  // An existingSecret the operator creates: a plausible stand-in for the loader.
  return ref.key.toLowerCase().includes('password') ? 'a-long-password' : 'postgres://u:p@db.example.com:5432/postgres';
}

describe('helm chart extras', () => {
  it('exposes only the gateway through the Ingress, and monitors /metrics', () => {
    const [ingress] = all('Ingress', 'ha');
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    expect(all('Service', 'ha').find((s) => s.metadata.name === backend.name)!.metadata.labels).toMatchObject({
      'app.kubernetes.io/component': 'gateway',
    });
    const [monitor] = all('ServiceMonitor', 'ha');
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
    expect(all('Ingress', 'default')).toEqual([]);
  });

  it('alerts on any dead letter, on orders past their deadline and on a consumer that stays behind, over what the ServiceMonitor scrapes', () => {
    expect(all('PrometheusRule', 'default')).toEqual([]);
    const rules = all('PrometheusRule', 'ha');
    expect(rules).toHaveLength(1);
    expect(validateManifests(rules)).toEqual([{ id: `PrometheusRule/${rules[0].metadata.name}`, error: null }]);
    expect(rules[0].metadata.labels).toMatchObject({ release: 'prometheus' });
    const alerts = rules[0].spec.groups.flatMap((group: any) => group.rules);
    const alert = (name: string) => alerts.find((rule: any) => rule.alert === name);

    const deadLetters = alert('SupergraphDeadLetters');
    expect(deadLetters.expr).toMatch(/^max by \(namespace\) \(events_dead_letters\{.*\}\) > 0$/);
    expect(deadLetters.for).toBeUndefined();
    expect(deadLetters.annotations.description).toContain('node dist/scripts/events.js dead-letters');
    expect(deadLetters.annotations.description).toContain('replay');
    const overdue = alert('SupergraphOrdersOverdue');
    expect(overdue.expr).toMatch(/^max by \(namespace\) \(orders_saga_overdue\{.*\}\) > 0$/);
    expect(overdue.for).toBe('5m');
    const behind = alert('SupergraphEventConsumerBehind');
    expect(behind.expr).toMatch(
      /^max by \(namespace, consumer\) \(min_over_time\(events_consumer_pending_messages\{.*\}\[15m\]\)\) > 0$/,
    );
    for (const rule of [deadLetters, overdue, behind]) {
      expect(rule.annotations.summary).toBeTruthy();
      expect(rule.labels.severity).toBeTruthy();
      // The selector keeps to this release's pods: the ServiceMonitor's job label is their Service's name.
      const [, namespace, job] = rule.expr.match(/\{namespace="([^"]+)", job=~"([^"]+)"\}/);
      expect(namespace).toBe('shop');
      const services = all('Service', 'ha').filter((svc) => componentOf(svc));
      for (const svc of services) expect(new RegExp(`^(?:${job})$`).test(svc.metadata.name)).toBe(true);
      // The alerted metric is one a service declares.
      const metric = rule.expr.match(/\((\w+)\{/)[1];
      expect(declaredMetrics()).toContain(metric);
    }
  });

  it('refuses stream limits the bundled NATS cannot hold', () => {
    expect(() => helm(['template', 'shop', CHART, '--set', 'nats.enabled=true'])).toThrow(
      /events.streamMaxBytes 1073741824 does not fit the bundled NATS's 2Gi volume.*at most 268435456/,
    );
    const fitting = ['--set', 'nats.enabled=true', '--set', 'events.streamMaxBytes=268435456'];
    expect(() => helm(['template', 'shop', CHART, ...fitting])).not.toThrow();
    expect(() => helm(['template', 'shop', CHART, ...fitting, '--set', 'events.streamReplicas=3'])).toThrow(
      /events.streamReplicas must be 1 with the bundled NATS/,
    );
    // The services refuse a stream younger than the inboxes' memory (EVENTS_RETENTION_HOURS, 168).
    expect(() => helm(['template', 'shop', CHART, '--set', 'events.streamMaxAgeHours=24'])).toThrow(
      /streamMaxAgeHours/,
    );
  });

  it('serves the supergraph from a ConfigMap when one is given', () => {
    const gw = all('Deployment', 'ha').find((d) => componentOf(d) === 'gateway')!;
    const path = env(gw, 'ha').SUPERGRAPH_PATH;
    const cm = all('ConfigMap', 'ha').find((m) => m.data['supergraph.graphql'])!;
    expect(cm.data['supergraph.graphql']).toContain('join__Graph');
    const mount = gw.spec.template.spec.containers[0].volumeMounts.find((m: any) => path.startsWith(m.mountPath));
    const volume = gw.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    expect(volume.configMap.name).toBe(cm.metadata.name);
  });

  it('routes each subgraph by x-api-version to version subsets over mutual TLS when Istio is on', () => {
    expect(rendered.default.filter((m) => m.apiVersion.includes('istio.io'))).toEqual([]);
    for (const svc of Object.keys(SUBGRAPHS)) {
      const of = (kind: string) => all(kind, 'ha').find((m) => componentOf(m) === svc)!;
      const vs = of('VirtualService');
      expect(vs.spec.http[0].match[0].headers['x-api-version']).toEqual({ exact: 'v1' });
      expect(vs.spec.http.map((r: any) => r.route[0].destination.subset)).toEqual(['v1', 'v2', 'v1']);
      const dr = of('DestinationRule');
      expect(dr.spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
      expect(dr.spec.subsets).toEqual([
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ]);
      expect(of('PeerAuthentication').spec.mtls.mode).toBe('STRICT');
      expect(of('Deployment').spec.template.metadata.labels.version).toBe('v1');
    }
  });

  it('renders no migration hook when migrations are disabled', () => {
    const docs = renderChart(['--set', 'migrations.enabled=false']);
    expect(docs.filter((m) => m.kind === 'Job')).toEqual([]);
    expect(docs.filter((m) => annotations(m)['helm.sh/hook'])).toEqual([]);
    expect(docs.filter((m) => m.kind === 'Deployment')).toHaveLength(SERVICES.length);
    expect(() => helm(['template', 'shop', CHART, '--set', 'migrations.backoffLimit=-1'])).toThrow(/backoffLimit/);
  });

  it('rejects values the schema forbids', () => {
    expect(() => helm(['template', 'shop', CHART, '--set', 'nodeEnv=staging'])).toThrow(/nodeEnv/);
  });
});
