import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadGatewayConfig } from '../../gateway/gatewayConfig';
import { loadSubgraphConfig, SUBGRAPH_NAMES, type Env, type SubgraphName } from '../../platform/config';
import type { SettingsGroup } from '../../platform/settings/settingsGroup';
import { tracingSettings } from '../../platform/tracing/tracingSettings';
import { readDevConfig } from '../../scripts/devSettings';
import { harnessSettings } from '../../scripts/harnessSettings';
import { loadOrdersSettings } from '../../scripts/loadOrdersSettings';
import { provisioningSettings } from '../../scripts/provisioningSettings';
import { SETTINGS_CATALOG } from '../../scripts/settingsCatalog';
import { subgraphDefinitions } from '../../scripts/subgraphDefinitions';

/** What a subgraph needs to read its settings at all; every other variable keeps its default. */
const BASE_ENV: Env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' };

/** Everything a process reads at start, before it opens a connection: what a bad value must stop. */
function startReading(reader: string, env: Env): unknown {
  if (reader === 'gateway') return [loadGatewayConfig(env), tracingSettings.read(env)];
  if ((SUBGRAPH_NAMES as string[]).includes(reader)) {
    const definition = subgraphDefinitions[reader as SubgraphName];
    return [loadSubgraphConfig(definition.name, env), definition.settings?.read(env), tracingSettings.read(env)];
  }
  if (reader === 'npm start') return readDevConfig(env);
  if (reader === 'provisionDatabases') return provisioningSettings.read(env);
  if (reader === 'npm run load:orders') return loadOrdersSettings.read(env);
  if (reader === 'npm run bench' || reader === 'npm run chaos') return harnessSettings.read(env);
  throw new Error(`no start path known for ${reader}: add it here`);
}

const declared = SETTINGS_CATALOG.flatMap((group: SettingsGroup<unknown>) =>
  Object.entries(group.settings).map(([name, setting]) => ({ group, name, setting })),
);

describe('settings', () => {
  it('every declared setting is read by its services with its default when unset', () => {
    for (const group of SETTINGS_CATALOG)
      for (const reader of group.readBy) expect(() => startReading(reader, BASE_ENV)).not.toThrow();
  });

  it('every variable is declared by one module only', () => {
    const names = declared.map((d) => d.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('every setting that is not free text names a value it refuses', () => {
    const withoutBadValue = declared.filter((d) => d.setting.invalid === undefined).map((d) => d.name);
    for (const { name, setting } of declared.filter((d) => d.setting.invalid === undefined)) {
      expect({ name, values: setting.values }).toEqual({ name, values: 'text' });
    }
    // Free text: paths, claims, keys, a consumer name. Anything is a value for them.
    expect(withoutBadValue.sort()).toEqual(
      [
        'BENCH_NODE_ARGS',
        'BENCH_RESULTS_DIR',
        'DATA_DIR',
        'EVENTS_TEST_CRASH_AFTER_COMMIT',
        'HOST',
        'JWT_AUDIENCE',
        'JWT_ISSUER',
        'NATS_URL',
        'PAYMENT_PROVIDER_OUTAGE_FILE',
        'PERSISTED_OPERATIONS_PATH',
        'SIGNING_KEY',
        'SIGNING_KEY_FILE',
        'SUPERGRAPH_PATH',
      ].sort(),
    );
  });

  describe.each(declared.filter((d) => d.setting.invalid !== undefined).map((d) => [d.name, d] as const))(
    '%s',
    (name, { group, setting }) => {
      it.each(group.readBy.map((reader) => [reader]))(
        `a bad value (${setting.invalid}) stops %s with one line naming it`,
        (reader) => {
          const env = { ...BASE_ENV, [name]: setting.invalid };
          expect(() => startReading(reader, env)).toThrow(
            expect.objectContaining({
              name: 'ConfigError',
              message: expect.stringMatching(new RegExp(`^invalid setting ${name}: [^\\n]+$`)),
            }),
          );
        },
      );
    },
  );

  it('a required setting that is missing stops the service, naming it', () => {
    expect(() => startReading('orders', {})).toThrow('invalid setting DATABASE_URL: required');
  });

  it('a real process stops at start with that line and exit code 1 (gateway and a subgraph)', async () => {
    const run = (entry: string, env: Env) =>
      promisify(execFile)(process.execPath, [entry], {
        cwd: path.resolve(__dirname, '../..'),
        env: { PATH: process.env.PATH, ...BASE_ENV, GATEWAY_PORT: '0', ORDERS_PORT: '0', ...env },
        timeout: 30_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code?: number; stderr: string }) => ({ code: error.code, stderr: error.stderr.trim() }),
      );
    const [gateway, orders] = await Promise.all([
      run('dist/gateway/main.js', { MAX_DEPTH: '0' }),
      run('dist/subgraphs/orders/main.js', { SAGA_ADMISSION_BURST: 'lots' }),
    ]);
    expect(gateway).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^start failed: invalid setting MAX_DEPTH: [^\n]+$/),
    });
    expect(orders).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^start failed: invalid setting SAGA_ADMISSION_BURST: [^\n]+$/),
    });
  });
});
