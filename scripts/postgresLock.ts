import fs from 'node:fs/promises';
import path from 'node:path';
import { printPrefixed } from './prefixedOutput';

/** What /proc tells about the process named in a lock file. */
interface LockHolder {
  cwd: string;
  parentCommand: string;
}

const ORPHAN_STOP_TIMEOUT_MS = 15_000;

/**
 * Makes a postmaster.pid left by a crash harmless. Postgres ignores a lock whose process
 * is gone, but not two cases that follow a killed supervisor:
 * - the old Postgres still runs, orphaned, holding our port and data: stop it;
 * - its pid now belongs to an unrelated process (containers reuse small pids quickly):
 *   Postgres would refuse to start ("Is another postmaster running?"), so drop the file.
 * Without /proc (macOS) we cannot tell these apart and leave the decision to Postgres.
 */
export async function clearStaleLock(clusterDir: string): Promise<void> {
  const lockFile = path.join(clusterDir, 'postmaster.pid');
  const pid = await lockPid(lockFile);
  if (pid === undefined || !isAlive(pid)) return;
  const holder = await describe(pid);
  if (!holder) return;
  if (holder.cwd !== (await fs.realpath(clusterDir))) {
    printPrefixed('dev', `removing a stale ${lockFile} (pid ${pid} is now another process)`);
    await fs.rm(lockFile, { force: true });
    return;
  }
  // A node parent is a supervisor or test run still using this cluster: not ours to stop.
  if (holder.parentCommand.includes('node')) {
    throw new Error(
      `Postgres (pid ${pid}) of another running process already uses ${clusterDir}: stop that one first, or set DATA_DIR`,
    );
  }
  printPrefixed('dev', `stopping the orphaned Postgres (pid ${pid}) of an earlier run that did not stop cleanly`);
  await stopOrphan(pid);
}

async function lockPid(lockFile: string): Promise<number | undefined> {
  const text = await fs.readFile(lockFile, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Signal 0 only checks; EPERM means it exists but belongs to someone else. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Postgres changes into its data directory, so its cwd says which cluster it serves. */
async function describe(pid: number): Promise<LockHolder | undefined> {
  try {
    const cwd = await fs.readlink(`/proc/${pid}/cwd`);
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const parentPid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    const parentCommand = await fs.readFile(`/proc/${parentPid}/cmdline`, 'utf8').catch(() => '');
    return { cwd, parentCommand: parentCommand.replace(/\0/g, ' ') };
  } catch {
    return undefined;
  }
}

/** SIGINT is Postgres's fast shutdown: it ends sessions and checkpoints, losing nothing committed. */
async function stopOrphan(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + ORPHAN_STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new Error(
        `the orphaned Postgres (pid ${pid}) did not stop within ${ORPHAN_STOP_TIMEOUT_MS} ms: kill it, then start again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
