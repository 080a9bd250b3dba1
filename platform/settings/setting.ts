import { z } from 'zod';

/**
 * One environment variable a module reads: how it is parsed (a zod schema), what it means, its
 * default and the values it takes. The README's settings tables are rendered from these
 * declarations (settingsTable.ts) and a test keeps them equal, so the documentation cannot drift.
 */
export interface Setting<T> {
  /** What it does, one line: the README's "what" column. */
  description: string;
  /** The default as an operator would write it; undefined = unset by default. */
  default?: string;
  /** No default: the service does not start without it. */
  required?: boolean;
  /** The values it takes, for the README (`1 … 1000`, `true` or `false`). */
  values: string;
  /** A value it refuses: the table-driven test starts a service with it and expects the start to stop. */
  invalid?: string;
  schema: z.ZodType<T>;
}

export type SettingValue<S> = S extends Setting<infer T> ? T : never;

interface Described {
  description: string;
}

function numberRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${min} … ${max}`;
  if (min !== undefined) return `≥ ${min}`;
  return 'a number';
}

/** An integer, refused when it is not one or lies outside [min, max]. */
export function integer(o: Described & { default: number; min: number; max?: number }): Setting<number> {
  const base = z.coerce.number().int().min(o.min);
  return {
    description: o.description,
    default: String(o.default),
    values: `integer ${numberRange(o.min, o.max)}`,
    invalid: String(o.min - 1),
    schema: (o.max === undefined ? base : base.max(o.max)).default(o.default),
  };
}

/** A number with a fraction allowed (a rate, a ratio, a multiplier). */
export function decimal(o: Described & { default: number; min: number; max?: number }): Setting<number> {
  const base = z.coerce.number().min(o.min);
  return {
    description: o.description,
    default: String(o.default),
    values: numberRange(o.min, o.max),
    invalid: 'many',
    schema: (o.max === undefined ? base : base.max(o.max)).default(o.default),
  };
}

export function port(o: Described & { default: number }): Setting<number> {
  return { ...integer({ ...o, min: 0, max: 65535 }), values: 'port', invalid: '65536' };
}

/** `true` or `false`, nothing else (a typo must not silently mean false). */
export function flag(o: Described & { default: boolean }): Setting<boolean> {
  return {
    description: o.description,
    default: String(o.default),
    values: '`true` or `false`',
    invalid: 'yes',
    schema: z
      .enum(['true', 'false'])
      .default(o.default ? 'true' : 'false')
      .transform((v) => v === 'true'),
  };
}

export function choice<const V extends readonly [string, ...string[]]>(
  options: V,
  o: Described & { default: V[number] },
): Setting<V[number]> {
  return {
    description: o.description,
    default: o.default,
    values: options.map((v) => `\`${v}\``).join(', '),
    invalid: 'none-of-these',
    schema: z.enum(options).default(o.default) as unknown as z.ZodType<V[number]>,
  };
}

/** Free text; `pattern` (with what it allows, in words) makes a malformed value stop the start. */
export function text(o: Described & { default: string; pattern?: { regex: RegExp; allows: string } }): Setting<string> {
  const base = o.pattern ? z.string().regex(o.pattern.regex, o.pattern.allows) : z.string();
  return {
    description: o.description,
    default: o.default,
    values: o.pattern?.allows ?? 'text',
    invalid: o.pattern ? 'not allowed!' : undefined,
    schema: base.default(o.default),
  };
}

/** Text that may be left unset; with `minLength` a too short one is refused. */
export function optionalText(o: Described & { minLength?: number }): Setting<string | undefined> {
  return {
    description: o.description,
    values: o.minLength ? `at least ${o.minLength} characters` : 'text',
    invalid: o.minLength ? 'x'.repeat(o.minLength - 1) : undefined,
    schema: (o.minLength ? z.string().min(o.minLength) : z.string()).optional(),
  };
}

export function email(o: Described & { default: string }): Setting<string> {
  return {
    description: o.description,
    default: o.default,
    values: 'an e-mail address',
    invalid: 'not-an-address',
    schema: z.string().email().default(o.default),
  };
}

export function optionalUrl(o: Described): Setting<string | undefined> {
  return {
    description: o.description,
    values: 'a URL',
    invalid: 'not a url',
    schema: z.string().url().optional(),
  };
}

export function requiredUrl(o: Described & { values?: string }): Setting<string> {
  return {
    description: o.description,
    required: true,
    values: o.values ?? 'a URL',
    invalid: 'not a url',
    schema: z.string().url(),
  };
}

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** A duration with its unit (`15m`, `90s`, `1h`, `500ms`), in ms; a bare number is refused as ambiguous. */
export function duration(o: Described & { default: string }): Setting<number> {
  return {
    description: o.description,
    default: o.default,
    values: 'a duration: `500ms`, `90s`, `15m`, `1h`',
    invalid: '15',
    schema: z
      .string()
      .default(o.default)
      .transform((value, ctx) => {
        const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `not a duration like 15m, 90s, 1h or 500ms: ${value}` });
          return z.NEVER;
        }
        return Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS]);
      }),
  };
}

/** Any other shape: the module gives the schema, the words for its values and a value it refuses. */
export function custom<T>(
  o: Described & { default?: string; values: string; invalid?: string; schema: z.ZodType<T> },
): Setting<T> {
  return o;
}
