import { Client } from 'pg';
import { databaseUrl } from './database';
import { scramVerifier } from './scramVerifier';

/** One subgraph's database and the role that owns it, and alone may connect to it. */
export interface DatabaseRole {
  database: string;
  role: string;
  /** Letters, digits and `-._~` only: it goes into a URL as it is. */
  password: string;
}

/** Any fixed number, apart from the migration lock's. */
const PROVISIONING_LOCK_KEY = 4_711_002;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const PASSWORD = /^[A-Za-z0-9\-._~]{16,200}$/;

function quoted(identifier: string): string {
  if (!IDENTIFIER.test(identifier)) throw new Error(`not a database or role name this tool creates: ${identifier}`);
  return `"${identifier}"`;
}

/**
 * Least privilege, run with the admin's URL (a superuser, or a role with CREATEROLE and CREATEDB):
 * the role can log in and nothing more (not superuser, cannot create roles or databases), owns its
 * database, and nobody else but a superuser may even connect to that database (CONNECT and TEMPORARY
 * revoked from PUBLIC). So a subgraph's credentials, leaked or misused, reach its own tables only.
 * Idempotent and safe to run again and side by side: attributes and password are set each time, so
 * it also rotates a password and repairs a role someone widened by hand.
 */
export async function provisionDatabase(adminUrl: string, target: DatabaseRole): Promise<void> {
  if (!PASSWORD.test(target.password)) {
    throw new Error(`the password of role ${target.role} must be 16 or more URL-safe characters (A-Z a-z 0-9 - . _ ~)`);
  }
  const role = quoted(target.role);
  const database = quoted(target.database);
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${scramVerifier(target.password)}'`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Side by side (replicas of a Job, two harnesses), ALTER ROLE fails with "tuple concurrently
    // updated": provisioners take turns, held until this session ends.
    await admin.query('SELECT pg_advisory_lock($1)', [PROVISIONING_LOCK_KEY]);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [target.role]);
    if (!rowCount) await tolerateRace(() => admin.query(`CREATE ROLE ${role}`), ['42710']);
    await admin.query(`ALTER ROLE ${role} ${attributes}`);
    const { rows } = await admin.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [target.database],
    );
    if (rows.length === 0) {
      await tolerateRace(() => admin.query(`CREATE DATABASE ${database} OWNER ${role}`), ['42P04']);
    }
    await admin.query(`ALTER DATABASE ${database} OWNER TO ${role}`);
    await admin.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${database} FROM PUBLIC`);
    await adoptObjects(adminUrl, target);
  } finally {
    await admin.end();
  }
}

/**
 * A database made before roles were provisioned (by a superuser DATABASE_URL) holds tables the
 * admin owns, which the role could neither migrate nor, in the end, read: they are handed to it.
 * Object by object, since REASSIGN OWNED cannot move what the bootstrap superuser owns.
 */
async function adoptObjects(adminUrl: string, target: DatabaseRole): Promise<void> {
  const client = new Client({ connectionString: databaseUrl(adminUrl, target.database) });
  await client.connect();
  try {
    const { rows } = await client.query<{ statement: string }>(
      `SELECT format('ALTER %s %s OWNER TO %I',
                     CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                    WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                     c.oid::regclass, $1::text) AS statement
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
          AND pg_get_userbyid(c.relowner) <> $1
          -- A sequence owned by a column moves with its table.
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
       UNION ALL
       SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, $1::text)
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND pg_get_userbyid(t.typowner) <> $1
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
       UNION ALL
       SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1::text)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1
          -- Objects of an extension belong to it, not to whoever created them.
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
      [target.role],
    );
    for (const { statement } of rows) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Drops a database and then its role (tests, and the harnesses, clean up with this: roles are cluster-wide). */
export async function dropDatabaseAndRole(
  adminUrl: string,
  target: Pick<DatabaseRole, 'database' | 'role'>,
): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoted(target.database)} WITH (FORCE)`);
    // Its database is gone, and with it everything it owned; nothing else may hold a grant to it.
    await admin.query(`DROP ROLE IF EXISTS ${quoted(target.role)}`);
  } finally {
    await admin.end();
  }
}

/** The server URL with the role's own credentials and its database, what the subgraph is given as DATABASE_URL. */
export function roleUrl(serverUrl: string, target: DatabaseRole): string {
  const url = new URL(databaseUrl(serverUrl, target.database));
  url.username = target.role;
  url.password = target.password;
  return url.toString();
}

/** Whether the URL's role may create roles and databases: whether provisioning can run with it. */
export async function mayProvision(adminUrl: string): Promise<boolean> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ may: boolean }>(
      'SELECT rolsuper OR (rolcreaterole AND rolcreatedb) AS may FROM pg_roles WHERE rolname = current_user',
    );
    return rows[0]?.may ?? false;
  } finally {
    await admin.end();
  }
}

/** Two provisioners at once: the loser of a CREATE finds the object there, which is what it wanted. */
async function tolerateRace(work: () => Promise<unknown>, codes: string[]): Promise<void> {
  try {
    await work();
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 23505: both inserted into the catalog's unique index at once.
    if (!codes.includes(code ?? '') && code !== '23505') throw error;
  }
}
