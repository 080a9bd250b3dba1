import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GATEWAY_DEFAULT_PORT, SUBGRAPHS, loadSubgraphConfig, type SubgraphName } from '../../platform/config';
import { loadGatewayConfig } from '../../gateway/gatewayConfig';
import { sagaAdmissionSettings } from '../../subgraphs/orders/sagaAdmissionSettings';
import { DEV_ADMIN } from '../../scripts/devSettings';
import { subgraphDefinitions } from '../../scripts/subgraphDefinitions';
import { helm } from './helmBinary';
import { CHART, REPO, VALUE_SETS, renderChart } from './renderChart';
import { validateManifests, type Manifest } from './validateManifests';

const DEFAULT_PORTS: Record<string, number> = { gateway: GATEWAY_DEFAULT_PORT, ...SUBGRAPHS };
/** values.yaml's metricsPort: every service's METRICS_PORT, for /metrics and its JWKS. */
const METRICS_PORT = 9464;
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
const HOOK_DELETE_POLICY = 'before-hook-creation,hook-succeeded';
/**
 * The migration Job's objects: hooks before install and upgrade. With the bundled Postgres there is
 * no database before install: then (what `helm template` renders) they are ordinary objects of the
 * release, the Job waiting for the new Postgres; upgrades run them as pre-upgrade hooks.
 */
function expectMigrationHook(m: Manifest, set: string): void {
  if (set === 'bundled') expect(annotations(m)['helm.sh/hook']).toBeUndefined();
  else {
    expect(annotations(m)).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': HOOK_DELETE_POLICY,
    });
  }
}
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

  it('runs one Deployment and Service per service on its default port, probed at /health and /ready, metrics on their own port', () => {
    expect(deployments.map(componentOf).sort()).toEqual([...SERVICES].sort());
    for (const d of deployments) {
      const svc = componentOf(d);
      const [c] = d.spec.template.spec.containers;
      expect(c.command).toEqual(['node', svc === 'gateway' ? 'dist/gateway/main.js' : `dist/subgraphs/${svc}/main.js`]);
      expect(c.ports).toEqual([
        { name: 'http', containerPort: DEFAULT_PORTS[svc], protocol: 'TCP' },
        { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
      ]);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(c.resources.requests).toBeDefined();

      const service = all('Service', set).find((s) => componentOf(s) === svc)!;
      expect(service.spec.ports).toEqual([
        expect.objectContaining({ name: 'http', port: DEFAULT_PORTS[svc], targetPort: 'http' }),
        expect.objectContaining({ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics' }),
      ]);
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
      // /metrics and the JWKS on METRICS_PORT, and every peer's JWKS fetched there (the Service's metrics port).
      expect(config.metricsPort).toBe(METRICS_PORT);
      for (const peer of SERVICES) {
        const s = services.find((x) => componentOf(x) === peer)!;
        expect(config.baseUrl[peer as SubgraphName]).toBe(`http://${s.metadata.name}:${s.spec.ports[0].port}`);
        const metrics = s.spec.ports.find((p: any) => p.name === 'metrics');
        expect(config.internalUrl[peer as SubgraphName]).toBe(`http://${s.metadata.name}:${metrics.port}`);
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

  it("passes the production guards of each subgraph's own settings: a named payment provider, no development ADMIN password", () => {
    for (const d of deployments.filter((x) => componentOf(x) !== 'gateway')) {
      const svc = componentOf(d) as SubgraphName;
      expect(() => subgraphDefinitions[svc].settings?.read(env(d, set))).not.toThrow();
    }
    const payments = deployments.find((d) => componentOf(d) === 'payments')!;
    expect(env(payments, set).PAYMENT_PROVIDER).toBe('simulated');
    const users = deployments.find((d) => componentOf(d) === 'users')!;
    expect(env(users, set).ADMIN_PASSWORD).not.toBe(DEV_ADMIN.password);
  });

  it('admits requests from callers only, and the metrics port only from monitoring and the verifiers of its tokens', () => {
    // The bundled subcharts' own policies carry no component label.
    const policies = all('NetworkPolicy', set).filter((p) => componentOf(p) && componentOf(p) !== 'migrate');
    expect(policies.map(componentOf).sort()).toEqual([...SERVICES].sort());
    const podLabels = (svc: string) => deployments.find((d) => componentOf(d) === svc)!.spec.template.metadata.labels;
    const podsOf = (peers: any[]) =>
      peers
        .filter((f: any) => f.podSelector)
        .map((f: any) => SERVICES.find((s) => matches(f.podSelector.matchLabels, podLabels(s))))
        .sort();
    const monitoring =
      set === 'ha' ? [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] : [];
    for (const p of policies) {
      const svc = componentOf(p);
      expect(matches(p.spec.podSelector.matchLabels, podLabels(svc))).toBe(true);
      const callers = CALLS.filter(([, b]) => b === svc).map(([a]) => a);
      const callees = CALLS.filter(([a]) => a === svc).map(([, b]) => b);
      // A token is verified with its signer's JWKS, on the signer's metrics port: a callee fetches
      // its callers' JWKS, and the gateway fetches users' (the user tokens).
      const verifiedBy = [...callees, ...(svc === 'users' ? ['gateway'] : [])];
      const verifies = [...callers, ...(svc === 'gateway' ? ['users'] : [])];
      const ingressOn = (port: string) => p.spec.ingress.filter((r: any) => r.ports.some((x: any) => x.port === port));
      const [http, ...moreHttp] = ingressOn('http');
      const [metrics, ...moreMetrics] = ingressOn('metrics');
      expect([moreHttp, moreMetrics]).toEqual([[], []]);
      // With no one to admit (inventory, without metricsFrom) the port is closed: no rule at all.
      const admitsMetrics = verifiedBy.length + monitoring.length > 0;
      expect(p.spec.ingress).toHaveLength(admitsMetrics ? 2 : 1);
      // The gateway's http port: from anyone (gatewayFrom is empty), the Ingress controller included.
      if (svc === 'gateway') expect(http.from).toBeUndefined();
      else expect(http.from).toHaveLength(callers.length);
      if (svc !== 'gateway') expect(podsOf(http.from)).toEqual(callers.sort());
      // The metrics port: never open to anyone; monitoring (metricsFrom) and the verifiers only.
      if (admitsMetrics) {
        expect(podsOf(metrics.from)).toEqual(verifiedBy.sort());
        expect(metrics.from.filter((f: any) => !f.podSelector)).toEqual(monitoring);
      }

      const egressTo = (port: number) =>
        podsOf(p.spec.egress.filter((r: any) => r.ports.some((x: any) => x.port === port)).flatMap((r: any) => r.to));
      for (const callee of callees) expect(egressTo(DEFAULT_PORTS[callee])).toEqual([callee]);
      expect(egressTo(METRICS_PORT)).toEqual(verifies.sort());
      const egressPorts = p.spec.egress.flatMap((rule: any) => rule.ports.map((port: any) => port.port));
      expect(egressPorts).toEqual(expect.arrayContaining(svc === 'gateway' ? [53, 4222] : [53, 5432, 4222]));
    }
  });

  it('migrates in a pre-install/pre-upgrade hook Job, non-root on a read-only root filesystem', () => {
    const jobs = all('Job', set);
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(componentOf(job)).toBe('migrate');
    expectMigrationHook(job, set);
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(0);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const pod = job.spec.template.spec;
    const [c] = pod.containers;
    expect(pod.containers).toHaveLength(1);
    expect(pod.restartPolicy).toBe('Never');
    expect(c.command).toEqual(['node', 'dist/scripts/provisionDatabases.js']);
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
    // Each subgraph's database, and its own URL to give its role its password: what its Deployment gets.
    for (const d of deployments.filter((x) => componentOf(x) !== 'gateway')) {
      const svc = componentOf(d) as SubgraphName;
      const own = loadSubgraphConfig(svc, env(d, set));
      expect(loadSubgraphConfig(svc, e).databaseName).toBe(own.databaseName);
      expect(e[`${svc.toUpperCase()}_DATABASE_URL`]).toBe(own.databaseUrl);
    }

    // The admin's URL, and the five subgraphs' URLs.
    const refs = c.env.filter((x: any) => x.valueFrom).map((x: any) => x.valueFrom.secretKeyRef);
    expect(refs).toHaveLength(6);
    const adminRef = c.env.find((x: any) => x.name === 'DATABASE_URL').valueFrom.secretKeyRef;
    for (const ref of refs) {
      const secret = all('Secret', set).find((s) => s.metadata.name === ref.name);
      if (set === 'external-db') {
        // The operator's Secrets, created before the release.
        expect(secret).toBeUndefined();
        expect(ref.name).toBe(ref === adminRef ? 'supergraph-database' : 'supergraph-database-roles');
      } else {
        // Hook-scoped copies, created before the Job and removed with it.
        expect(secret).toBeDefined();
        expectMigrationHook(secret!, set);
        expect(hookWeight(secret!)).toBeLessThan(hookWeight(job));
        expect(secret!.stringData[ref.key]).toMatch(/^postgres:\/\//);
      }
    }
  });

  it('lets the migration Job reach only DNS and Postgres, through a policy that exists when the hook runs', () => {
    const [job] = all('Job', set);
    const podLabels = job.spec.template.metadata.labels;
    const selecting = all('NetworkPolicy', set).filter((p) => matches(p.spec.podSelector.matchLabels, podLabels));
    expect(selecting).toHaveLength(1);
    const [policy] = selecting;
    expectMigrationHook(policy, set);
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
    expect(backend.port).toEqual({ name: 'http' });
    // Prometheus scrapes the metrics port, which the Ingress never routes to.
    const [monitor] = all('ServiceMonitor', 'ha');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
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

  it('refuses a ServiceMonitor that the NetworkPolicy would keep from scraping', () => {
    expect(() => helm(['template', 'shop', CHART, '--set', 'serviceMonitor.enabled=true'])).toThrow(
      /admits no one to the metrics port: set networkPolicy.metricsFrom/,
    );
    const monitoring = ['--set', 'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.team=monitoring'];
    expect(() =>
      helm(['template', 'shop', CHART, '--set', 'serviceMonitor.enabled=true', ...monitoring]),
    ).not.toThrow();
    expect(() =>
      helm(['template', 'shop', CHART, '--set', 'serviceMonitor.enabled=true', '--set', 'networkPolicy.enabled=false']),
    ).not.toThrow();
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
