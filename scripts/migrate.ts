import 'reflect-metadata';
import { loadSubgraphConfig, SUBGRAPH_NAMES, type Env, type SubgraphName } from '../platform/config';
import { openSubgraphDatabase } from '../platform/db/database';
import { createLogger } from '../platform/logger';
import { subgraphDefinitions } from './subgraphDefinitions';

/**
 * `node dist/scripts/migrate.js [name ...]`: creates and migrates the
 * subgraphs' databases (all five, or those named) and exits. Deployments run
 * it before the services (a compose one-shot, a Helm pre-upgrade Job); the
 * services still migrate on start, which is then a no-op.
 */
export async function migrate(names: SubgraphName[], env: Env): Promise<void> {
  for (const name of names) {
    const config = loadSubgraphConfig(name, env);
    const log = createLogger(`migrate-${name}`, config.logLevel);
    const dataSource = await openSubgraphDatabase(config, subgraphDefinitions[name], log);
    await dataSource.destroy();
    log.info({ database: config.databaseName }, 'migrated');
  }
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !SUBGRAPH_NAMES.includes(name as SubgraphName));
  if (unknown.length > 0)
    throw new Error(`unknown subgraph ${unknown.join(', ')}; known: ${SUBGRAPH_NAMES.join(', ')}`);
  await migrate(requested.length > 0 ? (requested as SubgraphName[]) : SUBGRAPH_NAMES, process.env);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
