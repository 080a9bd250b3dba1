export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['', '_total', '_bucket', '_sum', '_count', '_created'];

/**
 * Parses Prometheus text exposition format 0.0.4 strictly enough for a test:
 * every sample belongs to a family declared by `# TYPE`, every label is
 * well-formed, every value is a number. Throws naming the first bad line.
 */
export function parsePrometheusText(text: string): Sample[] {
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const fail = (why: string) => new Error(`line ${index + 1}: ${why}: ${line}`);
    if (line.startsWith('#')) {
      const type = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/);
      if (type) {
        if (!TYPES.has(type[2])) throw fail('unknown type');
        if (families.has(type[1])) throw fail('family declared twice');
        families.set(type[1], type[2]);
      } else if (!/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) throw fail('malformed comment');
      continue;
    }
    const match = line.match(SAMPLE);
    if (!match) throw fail('malformed sample');
    const [, name, labelText = '', valueText] = match;
    if (!SUFFIXES.some((suffix) => families.has(name.slice(0, name.length - suffix.length) || name))) {
      throw fail('sample of an undeclared family');
    }
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText);
      if (!label) throw fail('malformed labels');
      labels[label[1]] = label[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    // Prometheus reads NaN in any case (prom-client writes "Nan").
    if (Number.isNaN(value) && !/^nan$/i.test(valueText)) throw fail('value is not a number');
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The sum of the samples of this name whose labels include these. */
export function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Scrapes a service's /metrics and sums the samples of this name whose labels include these. */
export async function scrapeSum(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sampleSum(parsePrometheusText(await (await fetch(`${baseUrl}/metrics`)).text()), name, labels);
}
