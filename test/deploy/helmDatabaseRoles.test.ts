import { SUBGRAPH_NAMES } from '../../platform/config';
import { helm } from './helmBinary';
import { CHART, VALUE_SETS, renderChart } from './renderChart';
import type { Manifest } from './validateManifests';

/**
 * Least privilege in the chart: each subgraph's pods hold their own role's URL only; the admin's
 * URL reaches the migration Job alone, which gives every role its password.
 */
const componentOf = (m: Manifest) => m.metadata.labels?.['app.kubernetes.io/component'] as string;
const annotations = (m: Manifest) => (m.metadata.annotations ?? {}) as Record<string, string>;
const isHook = (m: Manifest) => Boolean(annotations(m)['helm.sh/hook']);
const PREFIX: Record<string, string> = {
  default: 'supergraph',
  'external-db': 'shop',
  ha: 'supergraph',
  bundled: 'supergraph',
};

function secretRefs(m: Manifest): { name: string; env: string; secret: string; key: string }[] {
  const [c] = m.spec.template.spec.containers;
  return (c.env ?? [])
    .filter((e: any) => e.valueFrom?.secretKeyRef)
    .map((e: any) => ({
      name: e.name,
      env: e.name,
      secret: e.valueFrom.secretKeyRef.name,
      key: e.valueFrom.secretKeyRef.key,
    }));
}

describe.each(Object.keys(VALUE_SETS))('helm chart database roles, %s values', (set) => {
  const docs = renderChart(VALUE_SETS[set]);
  const deployments = docs.filter((m) => m.kind === 'Deployment');
  const [job] = docs.filter((m) => m.kind === 'Job');
  const secret = (name: string, hook: boolean) =>
    docs.find((m) => m.kind === 'Secret' && m.metadata.name === name && isHook(m) === hook);
  const jobRefs = secretRefs(job);
  const adminRef = jobRefs.find((r) => r.env === 'DATABASE_URL')!;

  it("gives each subgraph's Deployment its own role's URL only, and the gateway none", () => {
    for (const d of deployments) {
      const svc = componentOf(d);
      const refs = secretRefs(d).filter((r) => r.secret === adminRef.secret || /database/.test(r.secret));
      const [c] = d.spec.template.spec.containers;
      expect((c.envFrom ?? []).filter((f: any) => f.secretRef)).toEqual([]);
      if (svc === 'gateway') {
        expect(refs).toEqual([]);
        continue;
      }
      // One reference: DATABASE_URL, under its own name, in the roles Secret (not the admin's).
      expect(refs).toHaveLength(1);
      const [ref] = refs;
      expect(ref.env).toBe('DATABASE_URL');
      expect(ref.key).toBe(svc);
      expect(ref.secret).not.toBe(adminRef.secret);
      const rendered = secret(ref.secret, false);
      if (set === 'external-db') {
        expect(rendered).toBeUndefined();
        expect(ref.secret).toBe('supergraph-database-roles');
        continue;
      }
      const url = new URL(rendered!.stringData[svc]);
      expect(url.username).toBe(`${PREFIX[set]}_${svc}`);
      expect(url.pathname).toBe(`/${PREFIX[set]}_${svc}`);
      expect(url.password).toMatch(/^[A-Za-z0-9]{32}$/);
    }
  });

  it("gives the migration Job the admin's URL and every role's, the same passwords its Deployments get", () => {
    expect(jobRefs.map((r) => r.env).sort()).toEqual(
      ['DATABASE_URL', ...SUBGRAPH_NAMES.map((name) => `${name.toUpperCase()}_DATABASE_URL`)].sort(),
    );
    if (set === 'external-db') return;
    const admin = new URL(secret(adminRef.secret, set !== 'bundled')!.stringData[adminRef.key]);
    const roles = docs.find((m) => m.kind === 'Secret' && m.metadata.name.endsWith('-database-roles') && !isHook(m))!;
    const passwords = new Set<string>();
    for (const name of SUBGRAPH_NAMES) {
      const ref = jobRefs.find((r) => r.env === `${name.toUpperCase()}_DATABASE_URL`)!;
      const copy = docs.find((m) => m.kind === 'Secret' && m.metadata.name === ref.secret)!;
      expect(copy.stringData[ref.key]).toBe(roles.stringData[name]);
      const own = new URL(roles.stringData[name]);
      expect(own.host).toBe(admin.host);
      expect(own.username).not.toBe(admin.username);
      passwords.add(own.password);
    }
    // One password per role: one subgraph's leaked URL opens no other database.
    expect(passwords.size).toBe(SUBGRAPH_NAMES.length);
    // The admin's URL is in no Secret a Deployment reads.
    const read = new Set(deployments.flatMap((d) => secretRefs(d).map((r) => r.secret)));
    expect(read.has(adminRef.secret)).toBe(false);
  });
});

describe('helm chart database roles, other values', () => {
  it('takes role passwords from values when given', () => {
    const docs = renderChart(['--set', 'database.roles.passwords.orders=orders-password-0123456789']);
    const roles = docs.find((m) => m.kind === 'Secret' && m.metadata.name === 'shop-supergraph-database-roles')!;
    expect(new URL(roles.stringData.orders).password).toBe('orders-password-0123456789');
    expect(() => renderChart(['--set', 'database.roles.passwords.orders=short'])).toThrow(/pattern|roles/);
  });

  it("refuses database.existingSecret without the subgraphs' own URLs, naming database.roles.existingSecret", () => {
    expect(() => helm(['template', 'shop', CHART, '--set', 'database.existingSecret=mine'])).toThrow(
      /database.roles.existingSecret/,
    );
  });

  it('runs the bundled Postgres install Job with the release, and as a pre-upgrade hook on upgrades', () => {
    const upgrade = renderChart([...VALUE_SETS.bundled, '--is-upgrade']);
    const [job] = upgrade.filter((m) => m.kind === 'Job');
    expect(annotations(job)['helm.sh/hook']).toBe('pre-upgrade');
    const [install] = renderChart(VALUE_SETS.bundled).filter((m) => m.kind === 'Job');
    expect(annotations(install)['helm.sh/hook']).toBeUndefined();
  });
});
