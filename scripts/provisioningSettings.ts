import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config';
import { databaseSettings } from '../platform/db/databaseSettings';
import { optionalUrl, type Setting } from '../platform/settings/setting';
import { settingsGroup } from '../platform/settings/settingsGroup';

type RoleUrlSettings = Record<`${Uppercase<SubgraphName>}_DATABASE_URL`, Setting<string | undefined>>;

const roleUrls = Object.fromEntries(
  SUBGRAPH_NAMES.map((name) => [
    `${name.toUpperCase()}_DATABASE_URL`,
    optionalUrl({
      description: `the ${name} subgraph's own DATABASE_URL: the role (\`\${DB_PREFIX}_${name}\`) and password provisioning gives its database`,
    }),
  ]),
) as RoleUrlSettings;

/**
 * What `node dist/scripts/provisionDatabases.js` reads: DATABASE_URL (and DB_PREFIX, declared with the
 * subgraphs' database settings) is the admin's here, the only process that holds it; each subgraph's
 * URL names the role and password it is to connect with, the very value its own process gets.
 */
export const provisioningSettings = settingsGroup('provisioning', ['provisionDatabases'], roleUrls, (s, env) => ({
  ...databaseSettings.read(env),
  roleUrls: Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, s[`${name.toUpperCase()}_DATABASE_URL` as keyof RoleUrlSettings]]),
  ) as Record<SubgraphName, string | undefined>,
}));
