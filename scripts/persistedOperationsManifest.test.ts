import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { Kind, parse, print, type DocumentNode } from 'graphql';
import * as generated from '../client/generated/graphql';
import { operationHash } from '../gateway/persistedOperations/manifest';
import { buildManifest, MANIFEST_FILE, OPERATIONS_DIR, operationTexts } from './persistedOperationsManifest';

const ROOT = path.resolve(__dirname, '..');

/** The operation documents among a module's exports (fragment documents left out). */
function operationDocuments(exports: Record<string, unknown>): [string, DocumentNode][] {
  return Object.entries(exports).filter(
    (entry): entry is [string, DocumentNode] =>
      (entry[1] as DocumentNode | undefined)?.kind === Kind.DOCUMENT &&
      (entry[1] as DocumentNode).definitions[0]?.kind === Kind.OPERATION_DEFINITION,
  );
}

describe('the persisted-operations manifest', () => {
  it('matches the committed manifest (run `npm run codegen` when this fails)', async () => {
    const committed = await readFile(path.join(ROOT, MANIFEST_FILE), 'utf8');
    expect(committed).toBe(await buildManifest(path.join(ROOT, OPERATIONS_DIR)));
  });

  it('holds exactly what a client sends as print() of each typed document of client/generated', async () => {
    const manifest = JSON.parse(await readFile(path.join(ROOT, MANIFEST_FILE), 'utf8')) as Record<string, string>;
    const documents = operationDocuments(generated);
    expect(documents.length).toBeGreaterThan(0);
    const sent = Object.fromEntries(documents.map(([, doc]) => [operationHash(print(doc)), print(doc)]));
    expect(manifest).toEqual(sent);
  });

  it('lists the fragments an operation uses, transitively, in the order codegen prints them', async () => {
    const operations = `
      fragment MoneyParts on Money { amount currency }
      fragment ProductCore on Product { id name price { ...MoneyParts } }
      fragment ProductStock on Product { available inStock ...ProductCore }
      fragment Unused on Product { sku }
      query Catalog($first: Int) { products(first: $first) { edges { node { ...ProductStock ...ProductCore } } } }
      query One($id: ID!) { product(id: $id) { ...ProductCore price { ...MoneyParts } } }
      query Plain { products(first: 1) { totalCount } }
    `;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'persisted-'));
    try {
      await writeFile(path.join(dir, 'fixture.graphql'), operations);
      const [output] = await generate(
        {
          cwd: ROOT,
          schema: 'schema/api.graphql',
          documents: path.join(dir, '*.graphql'),
          generates: { [path.join(dir, 'out.ts')]: { plugins: ['typed-document-node'] } },
          silent: true,
        },
        false,
      );
      // The typed documents as codegen writes them: `export const XDocument = {json} as unknown as ...`
      const codegenTexts = [...output.content.matchAll(/^export const (\w+)Document = (\{.*\}) as unknown as/gm)].map(
        (m) => print(JSON.parse(m[2]) as DocumentNode),
      );
      expect(codegenTexts).toHaveLength(3);
      const texts = operationTexts([parse(operations)]);
      expect(texts).toEqual(codegenTexts);
      expect(texts[0]).toMatch(
        /^query Catalog[^]*fragment MoneyParts[^]*fragment ProductCore[^]*fragment ProductStock/,
      );
      expect(texts.join('\n')).not.toContain('Unused');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
