import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS_CATALOG } from '../../scripts/settingsCatalog';
import { CHART } from './renderChart';

const declared = new Set(SETTINGS_CATALOG.flatMap((group) => Object.keys(group.settings)));

/** `VARIABLE: {{ .Values.a.b ... }}` in the settings ConfigMap: which value becomes which variable. */
function variablesFromValues(): { variable: string; valuePath: string }[] {
  const template = readFileSync(path.join(CHART, 'templates/configmap.yaml'), 'utf8');
  return [...template.matchAll(/^\s+([A-Z][A-Z0-9_]+): .*?\.Values\.([A-Za-z0-9_.]+)/gm)].map((m) => ({
    variable: m[1],
    valuePath: m[2],
  }));
}

/** The comment lines above each key of values.yaml and above its parents, by dotted path. */
function valuesComments(): Map<string, string> {
  const comments = new Map<string, string>();
  const stack: { indent: number; key: string; comment: string }[] = [];
  let pending: string[] = [];
  for (const line of readFileSync(path.join(CHART, 'values.yaml'), 'utf8').split('\n')) {
    const comment = /^\s*#(.*)$/.exec(line);
    if (comment) {
      pending.push(comment[1]);
      continue;
    }
    const key = /^(\s*)([A-Za-z0-9_]+):/.exec(line);
    if (!key) {
      pending = [];
      continue;
    }
    const indent = key[1].length;
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    stack.push({ indent, key: key[2], comment: pending.join(' ') });
    pending = [];
    comments.set(stack.map((entry) => entry.key).join('.'), stack.map((entry) => entry.comment).join(' '));
  }
  return comments;
}

function schemaDescription(valuePath: string): string | undefined {
  let node = JSON.parse(readFileSync(path.join(CHART, 'values.schema.json'), 'utf8'));
  for (const key of valuePath.split('.')) node = node?.properties?.[key];
  return node?.description;
}

describe('the chart names the settings the services declare', () => {
  const mapped = variablesFromValues();

  it('maps values to variables', () => expect(mapped.length).toBeGreaterThan(10));

  it.each(mapped.map((m) => [m.variable, m.valuePath]))(
    '%s (from .Values.%s) is declared, and values.yaml and values.schema.json name it',
    (variable, valuePath) => {
      expect(declared.has(variable)).toBe(true);
      expect(valuesComments().get(valuePath) ?? '').toContain(variable);
      expect(schemaDescription(valuePath) ?? '').toContain(variable);
    },
  );

  it('sets no variable in the ConfigMap that no service declares', () => {
    const template = readFileSync(path.join(CHART, 'templates/configmap.yaml'), 'utf8');
    const literal = [...template.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
    expect(literal.filter((variable) => !declared.has(variable))).toEqual([]);
  });
});
