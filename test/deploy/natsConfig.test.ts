import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { NATS_USERS } from '../../platform/events/natsPermissions';
import { natsPasswordVariable, renderNatsServerConfig } from '../../platform/events/natsServerConfig';
import { loadSubgraphConfig, SUBGRAPH_NAMES } from '../../platform/config';
import { SERVICE_NAMES, type ServiceName } from '../../platform/serviceNames';
import { natsConfigFiles } from '../../scripts/natsConfig';
import { REPO, VALUE_SETS, renderChart } from './renderChart';
import type { Manifest } from './validateManifests';

// The NATS users and permissions of compose and the chart are the declaration's
// (platform/events/natsPermissions.ts), rendered: they cannot drift from what the services need.

describe('the committed nats-server configs', () => {
  it.each(Object.entries(natsConfigFiles()))(
    '%s is what the declaration renders (npm run nats:config -- --write)',
    (file, rendered) => {
      expect(fs.readFileSync(path.join(REPO, file), 'utf8')).toBe(rendered);
    },
  );
});

describe('the chart’s bundled NATS', () => {
  const docs = renderChart(VALUE_SETS.bundled);
  const named = (kind: string, name: string) => docs.find((m) => m.kind === kind && m.metadata.name === name)!;
  const component = (m: Manifest) => m.metadata.labels?.['app.kubernetes.io/component'];

  it('runs the declaration’s users and permissions for the chart’s eventsPrefix', () => {
    const nats = named('StatefulSet', 'shop-nats').spec.template.spec;
    const [container] = nats.containers;
    const configFlag = container.args.indexOf('-c');
    expect(container.args[configFlag + 1]).toBe('/etc/nats/authorization.conf');
    const mount = container.volumeMounts.find((m: any) => m.mountPath === '/etc/nats');
    const volume = nats.volumes.find((v: any) => v.name === mount.name);
    const config = named('ConfigMap', volume.configMap.name).data['authorization.conf'];
    expect(config).toBe(renderNatsServerConfig('supergraph'));
  });

  it('gives every service its own user, the password nats-server reads for it', () => {
    const nats = named('StatefulSet', 'shop-nats').spec.template.spec.containers[0];
    const secret = named('Secret', nats.envFrom[0].secretRef.name);
    expect(Object.keys(secret.stringData).sort()).toEqual(NATS_USERS.map(natsPasswordVariable).sort());
    for (const password of Object.values(secret.stringData) as string[])
      expect(password).toMatch(/^[A-Za-z][A-Za-z0-9]{20,}$/);
    const deployments = docs.filter((m) => m.kind === 'Deployment');
    expect(deployments.map(component).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const d of deployments) {
      const env = d.spec.template.spec.containers[0].env as any[];
      const user = env.find((e) => e.name === 'NATS_USER').value;
      const password = env.find((e) => e.name === 'NATS_PASSWORD').valueFrom.secretKeyRef;
      expect({ user, secret: password.name, key: password.key }).toEqual({
        user: component(d),
        secret: secret.metadata.name,
        key: natsPasswordVariable(component(d) as ServiceName),
      });
    }
  });

  it('lets the gateway reach NATS for its subscriptions', () => {
    const policy = docs.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'shop-nats')!;
    const components = policy.spec.ingress[0].from[0].podSelector.matchExpressions[0].values;
    expect(components).toEqual(expect.arrayContaining(['gateway', ...SUBGRAPH_NAMES]));
  });

  it('gives no NATS credentials to services of an external NATS without nats.auth.existingSecret', () => {
    const external = renderChart([]);
    for (const d of external.filter((m) => m.kind === 'Deployment')) {
      const names = (d.spec.template.spec.containers[0].env as any[]).map((e) => e.name);
      expect(names).not.toContain('NATS_PASSWORD');
    }
    const own = renderChart(['--set', 'nats.auth.existingSecret=my-nats']);
    const orders = own.find((m) => m.kind === 'Deployment' && component(m) === 'orders')!;
    const ref = orders.spec.template.spec.containers[0].env.find((e: any) => e.name === 'NATS_PASSWORD').valueFrom;
    expect(ref.secretKeyRef).toEqual({ name: 'my-nats', key: 'NATS_PASSWORD_ORDERS' });
    expect(own.filter((m) => m.kind === 'Secret' && /nats/.test(m.metadata.name))).toEqual([]);
  });
});

describe('compose’s NATS', () => {
  const compose = parse(fs.readFileSync(path.join(REPO, 'docker', 'compose.yml'), 'utf8'), { merge: true });
  const services = compose.services as Record<string, any>;
  const interpolate = (value: string) => String(value).replace(/\$\{\w+:-([^}]*)\}/g, '$1');

  it('runs the rendered config, each password from the same variable its service is given', () => {
    const nats = services.nats;
    expect(nats.command.slice(nats.command.indexOf('--config'))[1]).toBe('/etc/nats/authorization.conf');
    expect(nats.volumes).toContain('./nats/authorization.conf:/etc/nats/authorization.conf:ro');
    expect(Object.keys(nats.environment).sort()).toEqual(NATS_USERS.map(natsPasswordVariable).sort());
    for (const name of SERVICE_NAMES) {
      const env = services[name].environment;
      expect(env.NATS_USER).toBe(name);
      expect(env.NATS_PASSWORD).toBe(nats.environment[natsPasswordVariable(name)]);
      const config =
        name === 'gateway'
          ? undefined
          : loadSubgraphConfig(
              name,
              Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v as string)])),
            );
      if (config) expect(config.eventsPrefix).toBe('supergraph');
    }
    expect(services.gateway.environment.NATS_URL).toBe('nats://nats:4222');
  });
});
