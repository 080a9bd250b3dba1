import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { SUBGRAPH_NAMES, type Env, type SubgraphName } from '../platform/config';
import { provisionDatabase } from '../platform/db/provisioning';
import { ConfigError } from '../platform/settings/settingsGroup';
import { migrate } from './migrate';
import { provisioningSettings } from './provisioningSettings';

/**
 * How long a Job started together with a fresh Postgres (the chart's bundled one, on install) waits
 * for it to accept connections; the Job's activeDeadlineSeconds bounds the whole run anyway.
 */
const SERVER_WAIT_MS = 120_000;

/**
 * `node dist/scripts/provisionDatabases.js [name ...]`, with the admin's DATABASE_URL: gives each
 * subgraph (all five, or those named) its role and database (provisioning.ts), then migrates that
 * database as the role itself, so its tables are the role's own. Deployments run it before the
 * services: the chart's migration Job, compose's one-shot. The services then hold only their own
 * role's URL, `<NAME>_DATABASE_URL` here.
 */
export async function provisionDatabases(names: SubgraphName[], env: Env): Promise<void> {
  const settings = provisioningSettings.read(env);
  for (const name of names) {
    const variable = `${name.toUpperCase()}_DATABASE_URL`;
    const url = settings.roleUrls[name];
    if (!url) throw new ConfigError(`invalid setting ${variable}: required (the ${name} subgraph's own URL)`);
    const { username, password } = new URL(url);
    if (!username || !password) throw new ConfigError(`invalid setting ${variable}: names no role and password`);
    const target = {
      database: `${settings.databasePrefix}_${name}`,
      role: decodeURIComponent(username),
      password: decodeURIComponent(password),
    };
    await untilServerAnswers(() => provisionDatabase(settings.databaseUrl, target));
    await migrate([name], { ...env, DATABASE_URL: url });
  }
}

/** Retries while the server is not up yet (refused, not resolvable, starting up); any other error at once. */
async function untilServerAnswers(work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + SERVER_WAIT_MS;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const notUpYet = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', '57P03'].includes(code);
      if (!notUpYet || Date.now() > deadline) throw error;
      console.error(`provisioning: Postgres not answering yet (${code}), trying again`);
      await sleep(2_000);
    }
  }
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !SUBGRAPH_NAMES.includes(name as SubgraphName));
  if (unknown.length > 0)
    throw new Error(`unknown subgraph ${unknown.join(', ')}; known: ${SUBGRAPH_NAMES.join(', ')}`);
  await provisionDatabases(requested.length > 0 ? (requested as SubgraphName[]) : SUBGRAPH_NAMES, process.env);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`provisioning failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
