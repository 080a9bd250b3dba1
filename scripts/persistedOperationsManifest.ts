import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Kind,
  parse,
  print,
  visit,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { operationHash } from '../gateway/persistedOperations/manifest';

export const OPERATIONS_DIR = 'client/operations';
export const MANIFEST_FILE = 'client/generated/persisted-operations.json';

/**
 * The persisted-operations manifest of the client's operations:
 * `{ "<sha256 of the text>": "<text>" }`, keys sorted, one entry per named
 * operation. The text is `print` of the operation followed by the fragments
 * it uses, in the order codegen's typed documents list them, so a client
 * sending `print(SomeDocument)` of client/generated/graphql.ts sends exactly
 * this text and hash (persistedOperationsManifest.test.ts checks it).
 */
export async function buildManifest(dir = OPERATIONS_DIR): Promise<string> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.graphql')).sort();
  const documents = await Promise.all(files.map(async (f) => parse(await readFile(path.join(dir, f), 'utf8'))));
  const texts = operationTexts(documents);
  const manifest = Object.fromEntries(
    texts.map((text) => [operationHash(text), text] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The text of each named operation, with the fragments it uses, transitively. */
export function operationTexts(documents: readonly DocumentNode[]): string[] {
  const operations = new Map<string, OperationDefinitionNode>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of documents.flatMap((d) => d.definitions)) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const name = definition.name.value;
      if (fragments.has(name)) throw new Error(`two fragments are named ${name}`);
      fragments.set(name, definition);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      const name = definition.name?.value;
      if (!name) throw new Error(`every operation needs a name: ${print(definition).slice(0, 60)}...`);
      if (operations.has(name)) throw new Error(`two operations are named ${name}`);
      operations.set(name, definition);
    }
  }
  const spreadsOf = (name: string) => {
    const fragment = fragments.get(name);
    if (!fragment) throw new Error(`unknown fragment ${name}`);
    return spreads(fragment);
  };
  return [...operations.values()].map((operation) => {
    // codegen (typed-document-node, documentNodeImportFragments) lists the operation, then the
    // dependencies of each fragment it spreads (depth first, dependencies before dependants),
    // then those fragments themselves, each once.
    const direct = spreads(operation);
    const used = new Set([...direct.flatMap((name) => dependenciesOf(name, spreadsOf)), ...direct]);
    const document: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [operation, ...[...used].map((name) => fragments.get(name)!)],
    };
    return print(document);
  });
}

/** The fragments a node spreads, in the order they first appear. */
function spreads(node: ASTNode): string[] {
  const names = new Set<string>();
  visit(node, {
    FragmentSpread(spread) {
      names.add(spread.name.value);
    },
  });
  return [...names];
}

/** Every fragment `name` depends on, transitively, in post-order (as the `dependency-graph` package codegen uses). */
function dependenciesOf(name: string, spreadsOf: (name: string) => string[]): string[] {
  const visited = new Set<string>();
  const order: string[] = [];
  const walk = (current: string) => {
    if (visited.has(current)) return;
    visited.add(current);
    for (const next of spreadsOf(current)) walk(next);
    order.push(current);
  };
  walk(name);
  return order.filter((n) => n !== name);
}
