import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: any;
}

// kubernetes-models and its Istio / prometheus-operator siblings are ES modules only, and jest runs
// CommonJS, so the validation runs in a child Node process that imports them natively.
const VALIDATOR = `
import { readFileSync } from 'node:fs';
const packages = { 'networking.istio.io': '@kubernetes-models/istio', 'security.istio.io': '@kubernetes-models/istio',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator' };
const docs = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const doc of docs) {
  const group = doc.apiVersion.includes('/') ? doc.apiVersion.split('/')[0] : '';
  const pkg = packages[group] ?? 'kubernetes-models';
  const id = doc.kind + '/' + doc.metadata?.name;
  try {
    const Model = (await import(pkg + '/' + doc.apiVersion))[doc.kind];
    if (!Model) throw new Error('no model for ' + doc.apiVersion + ' ' + doc.kind);
    new Model(doc).validate();
    results.push({ id, error: null });
  } catch (e) {
    results.push({ id, error: String(e.message ?? e) });
  }
}
process.stdout.write(JSON.stringify(results));
`;

/** Validates manifests against the Kubernetes (and CRD) schemas, offline; returns one entry per manifest. */
export function validateManifests(docs: Manifest[]): { id: string; error: string | null }[] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', VALIDATOR], {
    cwd: path.resolve(__dirname, '..', '..'),
    input: JSON.stringify(docs),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as { id: string; error: string | null }[];
}
