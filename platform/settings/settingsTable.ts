import type { SettingsGroup } from './settingsGroup';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** One group as the README shows it: a markdown table, one row per variable, in declaration order. */
export function settingsTable(group: SettingsGroup<unknown>): string {
  const rows = Object.entries(group.settings).map(([name, setting]) =>
    [
      `\`${name}\``,
      setting.default === ''
        ? 'empty'
        : setting.default !== undefined
          ? `\`${setting.default}\``
          : setting.required
            ? 'required'
            : 'unset',
      setting.values,
      setting.description,
    ]
      .map(cell)
      .join(' | '),
  );
  return [
    `Read by ${group.readBy.join(', ')}.`,
    '',
    '| variable | default | values | what |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

const BLOCK = /<!-- settings:([A-Za-z]+) -->\n[\s\S]*?<!-- \/settings -->/g;

/**
 * The README with every `<!-- settings:<id> -->` block rendered again from the declarations; an
 * unknown id or a group without its block is an error, so a group cannot go undocumented.
 */
export function renderSettingsBlocks(readme: string, groups: readonly SettingsGroup<unknown>[]): string {
  const byId = new Map(groups.map((group) => [group.id, group]));
  const seen = new Set<string>();
  const rendered = readme.replace(BLOCK, (_block, id: string) => {
    const group = byId.get(id);
    if (!group) throw new Error(`README has a settings block for ${id}, which no module declares`);
    if (seen.has(id)) throw new Error(`README has two settings blocks for ${id}`);
    seen.add(id);
    return `<!-- settings:${id} -->\n\n${settingsTable(group)}\n\n<!-- /settings -->`;
  });
  const missing = groups.filter((group) => !seen.has(group.id)).map((group) => group.id);
  if (missing.length > 0) throw new Error(`README has no settings block for ${missing.join(', ')}`);
  return rendered;
}
