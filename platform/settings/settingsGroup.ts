import type { Setting, SettingValue } from './setting';

export type Env = Record<string, string | undefined>;

/** Thrown when a setting is missing or malformed: one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Declarations = Record<string, Setting<unknown>>;
export type Values<D extends Declarations> = { [K in keyof D]: SettingValue<D[K]> };

/**
 * The settings one module owns, declared next to the code that uses them, and how they become that
 * module's typed options. platform/config.ts only composes groups; the README shows each group as a
 * table between `<!-- settings:<id> -->` markers (checked by test/docs/settingsTables.test.ts).
 */
export interface SettingsGroup<T, D extends Declarations = Declarations> {
  /** Names the group's README table. */
  id: string;
  /** The services that read it, for the README and the test that starts each with a bad value. */
  readBy: readonly string[];
  settings: D;
  /** Values -> options; throws ConfigError for a rule across variables. */
  read(env: Env): T;
}

export function settingsGroup<D extends Declarations, T>(
  id: string,
  readBy: readonly string[],
  settings: D,
  build: (values: Values<D>, env: Env) => T,
): SettingsGroup<T, D> {
  return {
    id,
    readBy,
    settings,
    read: (env) => build(parseValues(settings, env), env),
  };
}

function parseValues<D extends Declarations>(settings: D, env: Env): Values<D> {
  const values: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings)) {
    const result = setting.schema.safeParse(env[name]);
    if (!result.success) {
      const issue = result.error.issues[0];
      const message = env[name] === undefined && issue.code === 'invalid_type' ? 'required' : issue.message;
      throw new ConfigError(`invalid setting ${name}: ${message}`);
    }
    values[name] = result.data;
  }
  return values as Values<D>;
}
