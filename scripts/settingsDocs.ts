import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { renderSettingsBlocks } from '../platform/settings/settingsTable';
import { SETTINGS_CATALOG } from './settingsCatalog';

/** The checkout's README, from the sources (tests) or from dist/scripts (npm run settings:docs). */
function findReadme(dir: string): string {
  const candidate = path.join(dir, 'README.md');
  if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
  const parent = path.dirname(dir);
  if (parent === dir) throw new Error('no README.md next to a package.json above ' + __dirname);
  return findReadme(parent);
}

export const README = findReadme(__dirname);

/** The README as it should be: its settings tables rendered from the declarations, formatted as committed. */
export async function renderedReadme(readme = readFileSync(README, 'utf8')): Promise<string> {
  const options = (await resolveConfig(README)) ?? {};
  return format(renderSettingsBlocks(readme, SETTINGS_CATALOG), { ...options, filepath: README });
}

/** `npm run settings:docs`: writes the README's settings tables from every module's declarations. */
async function main(): Promise<void> {
  const before = readFileSync(README, 'utf8');
  const after = await renderedReadme(before);
  writeFileSync(README, after);
  console.log(after === before ? 'README settings tables were up to date' : 'README settings tables rewritten');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
