import type { Pool, PoolClient } from 'pg';
import { Client } from 'pg';
import { Gauge } from 'prom-client';
import {
  DataSource,
  MigrationExecutor,
  type EntitySchema,
  type Logger as TypeOrmLogger,
  type MixedList,
} from 'typeorm';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { SessionTimeouts } from './databaseSettings';
import { usePreparedStatements } from './preparedStatements';
import { currentQueryOrigin } from './queryOrigin';
import { withSessionTimeouts } from './sessionTimeouts';

/** postgres://host/db -> the same server, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates the database on first start, unless it is there: provisioned for the subgraph's own role
 * (provisioning.ts), which may connect to its database only and create none, or created before by a
 * DATABASE_URL with the right to (a developer's superuser). The database itself is tried first, so a
 * provisioned role never needs to reach another one. A concurrent creator is not an error.
 */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  if (await databaseAnswers(serverUrl, database)) return;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return;
    await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } catch (error) {
    // 42P04 duplicate_database, 23505 when two creators race on pg_database's unique index
    const code = (error as { code?: string }).code;
    if (code === '42501') {
      throw new Error(
        `database ${database} does not exist and DATABASE_URL's role ${roleOf(serverUrl)} may not create it: provision it first (node dist/scripts/provisionDatabases.js, see README)`,
      );
    }
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

/** Whether the database exists; a role that may not connect to it is told so in one line. */
async function databaseAnswers(serverUrl: string, database: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl(serverUrl, database) });
  try {
    await client.connect();
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 3D000 invalid_catalog_name: not created yet.
    if (code === '3D000') return false;
    if (code === '42501') {
      throw new Error(
        `DATABASE_URL's role ${roleOf(serverUrl)} may not connect to database ${database}: give the subgraph its own role's URL (see README, Least privilege)`,
      );
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function roleOf(serverUrl: string): string {
  return decodeURIComponent(new URL(serverUrl).username) || '(the default user)';
}

/** Drops a database (tests clean up after themselves with this). */
export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface DatabaseOptions {
  serverUrl: string;
  database: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  logger: Logger;
  metrics?: Metrics;
  poolSize?: number;
  /** Every connection's statement and idle-in-transaction timeouts; unset = Postgres's (none). */
  timeouts?: SessionTimeouts;
}

/**
 * Creates the service's database if needed, connects and runs its pending
 * migrations (never `synchronize`): the schema is whatever the migrations say.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  await ensureDatabase(options.serverUrl, options.database);
  const url = databaseUrl(options.serverUrl, options.database);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.timeouts ? withSessionTimeouts(url, options.timeouts) : url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    maxQueryExecutionTime: 1_000,
    logger: new CountingLogger(options.logger, options.metrics),
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
  });
  await dataSource.initialize();
  await warnWhenPrivileged(dataSource, options.logger);
  usePreparedStatements(poolOf(dataSource));
  if (options.metrics) instrumentPool(poolOf(dataSource), options.metrics);
  await runMigrationsExclusively(dataSource, options.timeouts?.migrationStatementTimeoutMs);
  return dataSource;
}

/**
 * A service may still be given a superuser's URL (a developer's, or an old deployment): it works, as
 * before provisioning existed, but then one bug or injected statement reaches every database on the
 * server. Say so once at start rather than refuse, so that a setup predating the roles keeps running.
 */
async function warnWhenPrivileged(dataSource: DataSource, log: Logger): Promise<void> {
  const [role] = (await dataSource.query(
    'SELECT rolname AS name, rolsuper AS superuser, rolcreaterole AS "createRole", rolcreatedb AS "createDb" FROM pg_roles WHERE rolname = current_user',
  )) as { name: string; superuser: boolean; createRole: boolean; createDb: boolean }[];
  if (role && (role.superuser || role.createRole || role.createDb))
    log.warn(
      { role: role.name, superuser: role.superuser, createRole: role.createRole, createDb: role.createDb },
      'connected to Postgres as a role that may reach other databases: give this service its own role (README: Least privilege)',
    );
}

/** The pg pool under a TypeORM Postgres data source. */
function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

const TIMED = Symbol('timed');

/**
 * Pool gauges, read at scrape time, and db_query_duration_seconds. TypeORM
 * times statements only in whole milliseconds and reports only slow ones, so
 * every client is timed where TypeORM hands it the statement: its `query`,
 * wrapped once per client when the pool first hands it out.
 */
function instrumentPool(pool: Pool, metrics: Metrics): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'db_pool_connections',
    help: 'Connections the Postgres pool holds, by state: idle or in_use',
    labelNames: ['state'],
    registers,
    collect() {
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
    },
  });
  new Gauge({
    name: 'db_pool_waiting_requests',
    help: 'Queries waiting for a free connection of the Postgres pool',
    registers,
    collect() {
      this.set(pool.waitingCount);
    },
  });
  new Gauge({
    name: 'db_pool_max_connections',
    help: 'The size limit of the Postgres pool',
    registers,
    collect() {
      this.set(pool.options.max ?? 10);
    },
  });
  pool.on('acquire', (client) => timeQueries(client, metrics));
}

function timeQueries(client: PoolClient & { [TIMED]?: true }, metrics: Metrics): void {
  if (client[TIMED]) return;
  client[TIMED] = true;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const started = process.hrtime.bigint();
    const origin = currentQueryOrigin();
    const observe = (outcome: 'ok' | 'error') =>
      metrics.dbQueryDuration.observe({ origin, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    const callback = args[args.length - 1];
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, ...rest: unknown[]) => {
        observe(error ? 'error' : 'ok');
        return (callback as (...a: unknown[]) => unknown)(error, ...rest);
      };
      return query(...args);
    }
    const result = query(...args);
    // A promise for plain statements; a submittable (a cursor, a stream) is not timed.
    if (result instanceof Promise) {
      result.then(
        () => observe('ok'),
        () => observe('error'),
      );
    }
    return result;
  };
}

/** A subgraph's own database, as its settings name it: `${DB_PREFIX}_<name>` on DATABASE_URL's server. */
export function openSubgraphDatabase(
  config: { databaseUrl: string; databaseName: string; dbPoolSize?: number; dbTimeouts?: SessionTimeouts },
  schema: Pick<DatabaseOptions, 'entities' | 'migrations'>,
  logger: Logger,
  metrics?: Metrics,
): Promise<DataSource> {
  return openDatabase({
    serverUrl: config.databaseUrl,
    database: config.databaseName,
    entities: schema.entities,
    migrations: schema.migrations,
    logger,
    metrics,
    poolSize: config.dbPoolSize,
    timeouts: config.dbTimeouts,
  });
}

/** Any fixed number: the advisory lock that lets one migrator at a time work on a database. */
const MIGRATION_LOCK_KEY = 4_711_001;

/**
 * Replicas starting together (or a migration Job and a service) take turns:
 * TypeORM itself does not lock, and two runs of one migration would collide.
 * Lock and migrations share one session, which gets the migrations' own
 * statement timeout (by default none): a replica waits for another's migration
 * as long as it takes, and an index build or a backfill on a big table is not
 * cancelled halfway by a limit sized for requests (each migration would roll
 * back and the next start fail the same way). A hung migration is bounded by
 * the Job's deadline (migrations.activeDeadlineSeconds) instead.
 */
async function runMigrationsExclusively(dataSource: DataSource, statementTimeoutMs?: number): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (statementTimeoutMs !== undefined)
      await runner.query(`SET statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const migrations = new MigrationExecutor(dataSource, runner);
      migrations.transaction = 'each';
      await migrations.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    // Back to the URL's timeouts before the connection returns to the pool.
    if (statementTimeoutMs !== undefined) await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.release();
  }
}

/** Counts every statement (db_queries_total) and logs the slow and the failed ones. */
class CountingLogger implements TypeOrmLogger {
  constructor(
    private readonly out: Logger,
    private readonly metrics?: Metrics,
  ) {}

  logQuery(): void {
    this.metrics?.dbQueries.inc({ origin: currentQueryOrigin() });
  }

  logQueryError(error: string | Error, query: string): void {
    // Only the code and constraint: Postgres's detail and TypeORM's parameters
    // carry row values (emails, password hashes) that must not reach the logs.
    const { code, constraint } =
      typeof error === 'string'
        ? { code: undefined, constraint: undefined }
        : (error as { code?: string; constraint?: string });
    const level = code === '23505' ? 'debug' : 'warn';
    this.out[level]({ code, constraint, query }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.out.warn({ timeMs: time, query }, 'slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.out.info({ migration: message }, 'migration');
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.out.warn({ detail: message }, 'typeorm');
  }
}
