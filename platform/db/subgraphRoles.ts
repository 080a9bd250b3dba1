import { randomBytes } from 'node:crypto';
import { dropDatabaseAndRole, provisionDatabase, roleUrl, type DatabaseRole } from './provisioning';

/**
 * Subgraph `x` of prefix `p` has database `p_x`, owned by role `p_x` of the same name: one name to
 * look for in pg_stat_activity, in logs and in the Secret, and a prefix that sets a deployment's (or
 * a test run's) roles apart from any other's on a shared server.
 */
export function subgraphRole(prefix: string, name: string, password = newPassword()): DatabaseRole {
  return { database: `${prefix}_${name}`, role: `${prefix}_${name}`, password };
}

/** 32 random bytes in URL-safe letters (base64url is `A-Z a-z 0-9 - _`). */
export function newPassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What `npm start` and the test harnesses do before they start subgraphs: each gets its own role and
 * database (a fresh password each time, set on the role), and the DATABASE_URL to give its process:
 * on `serverUrl`, which is the admin's server unless the subgraphs reach it another way (a proxy).
 */
export async function provisionSubgraphs<N extends string>(
  adminUrl: string,
  prefix: string,
  names: readonly N[],
  serverUrl = adminUrl,
): Promise<Record<N, string>> {
  const urls = {} as Record<N, string>;
  for (const name of names) {
    const target = subgraphRole(prefix, name);
    await provisionDatabase(adminUrl, target);
    urls[name] = roleUrl(serverUrl, target);
  }
  return urls;
}

/** Drops the subgraphs' databases and roles: a test run leaves no role behind on the shared server. */
export async function dropSubgraphs(adminUrl: string, prefix: string, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((name) => dropDatabaseAndRole(adminUrl, subgraphRole(prefix, name, ''))));
}
