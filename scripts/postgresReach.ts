import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isTraversable, type Owner } from './postgresOwner';

/**
 * Where the postgres user can reach what the embedded Postgres needs, when we
 * are root and the checkout sits in a folder it cannot enter (root's home is
 * mode 700 by default). /var/tmp outlives a reboot, so the cluster's data does too.
 */
function reachableBase(owner: Owner): string | undefined {
  return ['/var/tmp', os.tmpdir()].find((dir) => existsSync(dir) && isTraversable(dir, owner));
}

/** The same folder for the same DATA_DIR, so a restart finds its cluster again. */
function placeFor(base: string, what: string, key: string): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return path.join(base, `supergraph-${what}-${digest}`);
}

/**
 * DATA_DIR itself when the postgres user can walk down to it; otherwise a
 * folder of its own under /var/tmp, keyed by DATA_DIR. Undefined when there is
 * no such place (the caller then reports what to chmod).
 */
export function reachableDataDir(dataDir: string, owner: Owner): string | undefined {
  if (isTraversable(path.dirname(dataDir), owner)) return dataDir;
  const base = reachableBase(owner);
  return base ? placeFor(base, 'postgres-data', dataDir) : undefined;
}

/**
 * The folder of the Postgres binaries (bin/, lib/, share/ under one root), or
 * a copy the postgres user can reach, made once per package folder and
 * version: postgres finds its libraries and share files relative to itself.
 */
export async function reachableBinaryRoot(root: string, owner: Owner): Promise<string | undefined> {
  if (isTraversable(root, owner)) return root;
  const base = reachableBase(owner);
  if (!base) return undefined;
  const { mtimeMs } = await fs.stat(root);
  const copy = placeFor(base, 'postgres-binaries', `${root}@${mtimeMs}`);
  const complete = path.join(copy, '.complete');
  if (existsSync(complete)) return copy;
  // Copied aside and renamed into place, so a copy cut short is never taken for a whole one.
  const partial = `${copy}.partial-${process.pid}`;
  await fs.rm(partial, { recursive: true, force: true });
  await fs.cp(root, partial, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  await fs.chmod(partial, 0o755);
  await fs.writeFile(path.join(partial, '.complete'), `${root}\n`);
  await fs.rm(copy, { recursive: true, force: true });
  await fs.rename(partial, copy);
  return copy;
}
