import { SUBGRAPH_NAMES } from '../serviceNames';
import { integer, requiredUrl, text } from '../settings/setting';
import { settingsGroup } from '../settings/settingsGroup';

/** Where a subgraph's database lives and how many connections its pool holds. */
export const databaseSettings = settingsGroup(
  'database',
  SUBGRAPH_NAMES,
  {
    DATABASE_URL: requiredUrl({
      values: 'a Postgres URL (`npm start`: its embedded Postgres)',
      description: 'a Postgres server URL; subgraph `x` uses database `${DB_PREFIX}_x`, created and migrated on start',
    }),
    DB_PREFIX: text({
      default: 'supergraph',
      pattern: { regex: /^[a-z_][a-z0-9_]*$/, allows: 'lower-case letters, digits and _ only' },
      description: 'prefix of the database names',
    }),
    DB_POOL_SIZE: integer({
      default: 10,
      min: 1,
      max: 1_000,
      description: 'Postgres connections per subgraph process',
    }),
  },
  (s) => ({ databaseUrl: s.DATABASE_URL, databasePrefix: s.DB_PREFIX, dbPoolSize: s.DB_POOL_SIZE }),
);
