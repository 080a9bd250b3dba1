import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadPersistedOperations, operationHash } from './manifest';
import { ManifestCache } from './ManifestCache';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function manifestFile(content: string): Promise<string> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, content);
  return file;
}

const text = 'query Me {\n  me {\n    id\n  }\n}';

describe('the persisted-operations manifest', () => {
  it('loads operations by the sha256 of their text', async () => {
    const operations = await loadPersistedOperations(
      await manifestFile(JSON.stringify({ [operationHash(text)]: text })),
    );
    expect([...operations]).toEqual([[operationHash(text), text]]);
    // the same digest as `printf '{ __typename }' | sha256sum`, and as Apollo's queryHash
    expect(operationHash('{ __typename }')).toBe('7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b');
  });

  it.each([
    ['missing', undefined, /no manifest/],
    ['not JSON', '{', /unreadable manifest/],
    ['an array', '[]', /not a JSON object/],
    ['empty', '{}', /lists no operation/],
    [
      'tampered (a key not the hash of its text)',
      JSON.stringify({ [operationHash(text)]: '{ me { email } }' }),
      /not the sha256/,
    ],
  ])('refuses a manifest that is %s, in one line naming the setting and the file', async (_case, content, reason) => {
    const file = content === undefined ? path.join(dir, 'absent.json') : await manifestFile(content);
    const error = await loadPersistedOperations(file).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'ConfigError', message: expect.stringMatching(reason) });
    expect((error as Error).message).toContain(`PERSISTED_OPERATIONS_PATH`);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('the APQ cache over the manifest', () => {
  const cache = new ManifestCache(new Map([[operationHash(text), text]]));

  it("answers Apollo's prefixed keys from the manifest", async () => {
    expect(await cache.get(`apq:${operationHash(text)}`)).toBe(text);
    expect(await cache.get(`apq:${operationHash('{ me { email } }')}`)).toBeUndefined();
  });

  it('registers nothing', async () => {
    const other = '{ me { email } }';
    await cache.set(`apq:${operationHash(other)}`, other);
    expect(await cache.get(`apq:${operationHash(other)}`)).toBeUndefined();
  });
});
