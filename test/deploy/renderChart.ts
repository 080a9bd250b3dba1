import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helm } from './helmBinary';
import type { Manifest } from './validateManifests';

export const REPO = path.resolve(__dirname, '..', '..');
export const CHART = path.join(REPO, 'helm', 'supergraph');

/**
 * The value sets CI renders: defaults, an external database, HA with autoscaling and Istio, and the
 * bundled Postgres and NATS subcharts.
 */
export const VALUE_SETS: Record<string, string[]> = {
  default: [],
  'external-db': ['-f', path.join(CHART, 'ci', 'external-db-values.yaml')],
  ha: [
    '-f',
    path.join(CHART, 'ci', 'ha-values.yaml'),
    '--set-file',
    `gateway.supergraph=${path.join(REPO, 'schema', 'supergraph.graphql')}`,
  ],
  bundled: ['-f', path.join(CHART, 'ci', 'bundled-values.yaml')],
};

export function renderChart(args: string[]): Manifest[] {
  const out = helm(['template', 'shop', CHART, '--namespace', 'shop', ...args]);
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}
