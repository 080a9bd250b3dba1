import { SUBGRAPH_NAMES } from '../serviceNames';
import { integer, requiredUrl, text } from '../settings/setting';
import { settingsGroup } from '../settings/settingsGroup';

/** How long a statement, or a transaction left idle, may hold a connection (0 = no limit). */
export interface SessionTimeouts {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  /** Statements of migrations (and the wait for the migration lock); see database.ts. */
  migrationStatementTimeoutMs: number;
}

/** Where a subgraph's database lives, as which role, and how long its connections may be held. */
export const databaseSettings = settingsGroup(
  'database',
  SUBGRAPH_NAMES,
  {
    DATABASE_URL: requiredUrl({
      values: 'a Postgres URL (`npm start`: its embedded Postgres)',
      description:
        "a Postgres server URL with the subgraph's own role (see Least privilege); subgraph `x` uses database `${DB_PREFIX}_x`, migrated on start",
    }),
    DB_PREFIX: text({
      default: 'supergraph',
      pattern: { regex: /^[a-z_][a-z0-9_]*$/, allows: 'lower-case letters, digits and _ only' },
      description: "prefix of the database names and of the subgraphs' role names",
    }),
    DB_POOL_SIZE: integer({
      default: 10,
      min: 1,
      max: 1_000,
      description: 'Postgres connections per subgraph process',
    }),
    DB_STATEMENT_TIMEOUT_MS: integer({
      default: 10_000,
      min: 0,
      max: 3_600_000,
      description:
        'Postgres cancels a statement running longer (also one waiting for a lock): `SERVICE_UNAVAILABLE`; 0 = no limit',
    }),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: integer({
      default: 30_000,
      min: 0,
      max: 3_600_000,
      description: 'Postgres ends a session whose transaction sits idle longer, releasing its locks; 0 = no limit',
    }),
    DB_MIGRATION_STATEMENT_TIMEOUT_MS: integer({
      default: 0,
      min: 0,
      max: 86_400_000,
      description: 'statement timeout of migrations and of the wait for the migration lock; 0 = no limit',
    }),
  },
  (s) => ({
    databaseUrl: s.DATABASE_URL,
    databasePrefix: s.DB_PREFIX,
    dbPoolSize: s.DB_POOL_SIZE,
    dbTimeouts: {
      statementTimeoutMs: s.DB_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: s.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      migrationStatementTimeoutMs: s.DB_MIGRATION_STATEMENT_TIMEOUT_MS,
    } satisfies SessionTimeouts,
  }),
);
