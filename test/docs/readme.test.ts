import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PUBLIC_CODES } from '../../platform/errors';
import { renderSettingsBlocks } from '../../platform/settings/settingsTable';
import { SETTINGS_CATALOG } from '../../scripts/settingsCatalog';

const REPO = path.resolve(__dirname, '../..');
const README = path.join(REPO, 'README.md');
const readme = readFileSync(README, 'utf8');

const declaredSettings = new Set(SETTINGS_CATALOG.flatMap((group) => Object.keys(group.settings)));

/** Words of the served API (enum values, OUT_OF_STOCK, TIMED_OUT, ...) the README may quote too. */
function apiWords(): Set<string> {
  const api = readFileSync(path.join(REPO, 'schema/api.graphql'), 'utf8');
  return new Set([...api.matchAll(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g)].map((m) => m[0]));
}

/**
 * What Prettier changes when it formats the README (npm run settings:docs runs it; Prettier cannot run
 * inside jest): the padding and dashes of table cells and the escaping of `_`.
 */
function withoutFormatting(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((cell) => (/^\s*-+\s*$/.test(cell) ? '-' : cell.trim()))
            .join('|')
        : line,
    )
    .join('\n')
    .replace(/\\_/g, '_');
}

describe('README', () => {
  it('its settings tables are the declarations of every module, rendered (npm run settings:docs)', () => {
    expect(withoutFormatting(readme)).toBe(withoutFormatting(renderSettingsBlocks(readme, SETTINGS_CATALOG)));
  });

  it('names no variable that no module declares', () => {
    const known = new Set([...declaredSettings, ...PUBLIC_CODES, 'INTERNAL_SERVER_ERROR', ...apiWords()]);
    const named = [...readme.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]);
    expect([...new Set(named.filter((name) => !known.has(name)))]).toEqual([]);
  });

  it('lists exactly the error codes a client can get', () => {
    const section =
      /Errors carry `extensions.code`[^\n]*\n\n((?:- [^\n]*\n(?: {2}[^\n]*\n)*)+)/.exec(readme)?.[1] ?? '';
    const listed = new Set(
      [...section.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1]).filter((word) => !declaredSettings.has(word)),
    );
    expect([...listed].sort()).toEqual([...PUBLIC_CODES, 'INTERNAL_SERVER_ERROR'].sort());
  });

  it('links only to files inside the repository that exist', () => {
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^https?:/.test(t));
    for (const target of targets) {
      const file = path.resolve(REPO, target.split('#')[0]);
      expect({ target, inside: !path.relative(REPO, file).startsWith('..'), exists: existsSync(file) }).toEqual({
        target,
        inside: true,
        exists: true,
      });
    }
  });

  it('its layout block names every top-level folder, and each path it names exists', () => {
    const block = /## Working on it[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const named = block
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.split(/\s{2,}/)[0].trim());
    for (const entry of named)
      expect({ entry, exists: existsSync(path.join(REPO, entry.replace('<name>', 'orders'))) }).toEqual({
        entry,
        exists: true,
      });
    const tracked = execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' })
      .split('\n')
      .filter((file) => file.includes('/') && !file.startsWith('.'))
      .map((file) => `${file.split('/')[0]}/`);
    const topLevel = named.filter((entry) => /^[^/]+\/$/.test(entry));
    expect([...new Set(tracked)].filter((folder) => !topLevel.includes(folder)).sort()).toEqual([]);
  });
});
