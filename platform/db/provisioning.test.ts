import 'reflect-metadata';
import { Client } from 'pg';
import pino from 'pino';
import { migrate } from '../../scripts/migrate';
import { TEST_DATABASE_URL, testNamespace } from '../../test/support/testEnv';
import { databaseUrl, openDatabase } from './database';
import { provisionDatabase, roleUrl } from './provisioning';
import { dropSubgraphs, provisionSubgraphs, subgraphRole } from './subgraphRoles';

const { prefix } = testNamespace();
const NAMES = ['users', 'products'] as const;
let urls: Record<(typeof NAMES)[number], string>;

beforeAll(async () => {
  urls = await provisionSubgraphs(TEST_DATABASE_URL, prefix, NAMES);
});

afterAll(async () => {
  await dropSubgraphs(TEST_DATABASE_URL, prefix, [...NAMES, 'legacy']);
});

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function failure(work: Promise<unknown>): Promise<{ code?: string }> {
  try {
    await work;
  } catch (error) {
    return error as { code?: string };
  }
  throw new Error('expected a failure');
}

/** users' own credentials, pointed at products' database (the server trusts 127.0.0.1: no password is checked). */
function usersCredentialsOn(database: string): string {
  const url = new URL(urls.users);
  url.pathname = `/${database}`;
  return url.toString();
}

async function rolesOfRun(): Promise<string[]> {
  return withClient(TEST_DATABASE_URL, async (admin) =>
    (await admin.query('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)', [`${prefix}_`])).rows.map(
      (row: { rolname: string }) => row.rolname,
    ),
  );
}

describe('least privilege: each subgraph connects as its own role', () => {
  it("cannot connect with one subgraph's credentials to another's database, so cannot read its tables", async () => {
    await migrate(['products'], { DATABASE_URL: urls.products, DB_PREFIX: prefix, LOG_LEVEL: 'silent' });
    const refused = await failure(withClient(usersCredentialsOn(`${prefix}_products`), (c) => c.query('SELECT 1')));
    expect(refused.code).toBe('42501');
    // Nor does any role but the owner (and a superuser): CONNECT is revoked from PUBLIC.
    const acl = await withClient(
      TEST_DATABASE_URL,
      async (admin) =>
        (
          await admin.query(
            `SELECT has_database_privilege($1, datname, 'CONNECT') AS users, has_database_privilege($2, datname, 'CONNECT') AS products,
                  has_database_privilege('public', datname, 'CONNECT') AS public, has_database_privilege('public', datname, 'TEMPORARY') AS temp
             FROM pg_database WHERE datname = $3`,
            [`${prefix}_users`, `${prefix}_products`, `${prefix}_products`],
          )
        ).rows[0],
    );
    expect(acl).toEqual({ users: false, products: true, public: false, temp: false });
  });

  it('is not superuser, and may create neither roles nor databases, in its own database', async () => {
    await withClient(urls.users, async (users) => {
      const { rows } = await users.query(
        `SELECT current_user AS role, current_database() AS database, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
           FROM pg_roles WHERE rolname = current_user`,
      );
      expect(rows[0]).toEqual({
        role: `${prefix}_users`,
        database: `${prefix}_users`,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
      });
      expect((await failure(users.query(`CREATE ROLE ${prefix}_intruder LOGIN`))).code).toBe('42501');
      expect((await failure(users.query(`CREATE DATABASE ${prefix}_intruder`))).code).toBe('42501');
      expect((await failure(users.query(`ALTER ROLE ${prefix}_users SUPERUSER`))).code).toBe('42501');
    });
  });

  it('migrates and uses its own database as that role: its tables are its own', async () => {
    await migrate(['users'], { DATABASE_URL: urls.users, DB_PREFIX: prefix, LOG_LEVEL: 'silent' });
    const owners = await withClient(urls.users, async (users) => {
      await users.query('SELECT count(*) FROM users');
      return (await users.query("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")).rows;
    });
    expect(owners).toEqual([{ tableowner: `${prefix}_users` }]);
  });

  it('provisions again, twice at once, without error, with the new password and the narrow rights kept', async () => {
    const before = await withClient(
      TEST_DATABASE_URL,
      async (admin) =>
        (await admin.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [`${prefix}_users`])).rows[0],
    );
    await withClient(TEST_DATABASE_URL, (admin) => admin.query(`ALTER ROLE ${prefix}_users CREATEDB`));
    await Promise.all([
      provisionDatabase(TEST_DATABASE_URL, subgraphRole(prefix, 'users')),
      provisionDatabase(TEST_DATABASE_URL, subgraphRole(prefix, 'users')),
    ]);
    const after = await withClient(
      TEST_DATABASE_URL,
      async (admin) =>
        (await admin.query('SELECT rolpassword, rolcreatedb FROM pg_authid WHERE rolname = $1', [`${prefix}_users`]))
          .rows[0],
    );
    expect(after.rolpassword).not.toBe(before.rolpassword);
    expect(after.rolcreatedb).toBe(false);
  });

  it('hands a database a superuser created and migrated before roles existed to its role', async () => {
    const legacy = subgraphRole(prefix, 'legacy');
    // The old way: DATABASE_URL a superuser, which created and migrated the database itself.
    await migrate(['users'], { DATABASE_URL: TEST_DATABASE_URL, DB_PREFIX: `${prefix}_legacy`, LOG_LEVEL: 'silent' });
    await withClient(TEST_DATABASE_URL, (admin) =>
      admin.query(`ALTER DATABASE ${prefix}_legacy_users RENAME TO ${legacy.database}`),
    );
    await provisionDatabase(TEST_DATABASE_URL, legacy);
    const owners = await withClient(roleUrl(TEST_DATABASE_URL, legacy), async (own) => {
      await own.query('INSERT INTO migrations (timestamp, name) SELECT timestamp, name FROM migrations LIMIT 0');
      await own.query('SELECT count(*) FROM users');
      return (
        await own.query(
          `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND relkind IN ('r', 'S', 'v')`,
        )
      ).rows;
    });
    expect(owners).toEqual([{ owner: legacy.role }]);
  });

  it('warns at start when a service connects as a role that may reach other databases, and not as its own role', async () => {
    const warnings = async (serverUrl: string, database: string): Promise<string[]> => {
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
      const db = await openDatabase({ serverUrl, database, entities: [], migrations: [], logger });
      await db.destroy();
      return lines;
    };
    expect(await warnings(TEST_DATABASE_URL, `${prefix}_users`)).toEqual([
      expect.stringContaining('give this service its own role'),
    ]);
    expect(await warnings(urls.users, `${prefix}_users`)).toEqual([]);
  });

  it('drops the roles with the databases, so a run leaves no role behind', async () => {
    const name = `${prefix}_gone`;
    await provisionSubgraphs(TEST_DATABASE_URL, name, ['users']);
    expect(await rolesOfRun()).toContain(`${name}_users`);
    await dropSubgraphs(TEST_DATABASE_URL, name, ['users']);
    expect(await rolesOfRun()).not.toContain(`${name}_users`);
    const databases = await withClient(
      databaseUrl(TEST_DATABASE_URL, 'postgres'),
      async (admin) => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [`${name}_users`])).rows,
    );
    expect(databases).toEqual([]);
  });
});
