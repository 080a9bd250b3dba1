import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../platform/config';

/** Operation text by the sha256 of that text: what `npm run codegen` writes for the client's operations. */
export type PersistedOperations = ReadonlyMap<string, string>;

/** The key of an operation: the sha256 hex of its exact text, as Apollo's APQ and `queryHash` compute it. */
export function operationHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Reads the manifest (`{ "<sha256>": "<operation text>" }`). Any fault stops
 * the start with one line naming the file: a gateway that serves only listed
 * operations must not start with a list it cannot trust. Every key is checked
 * against its text, so an edited entry cannot smuggle in another operation.
 */
export async function loadPersistedOperations(file: string): Promise<PersistedOperations> {
  const fail = (reason: string) =>
    new ConfigError(`invalid setting PERSISTED_OPERATIONS_PATH: ${reason} (${file}); run \`npm run codegen\``);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw fail(code === 'ENOENT' ? 'no manifest' : `unreadable manifest: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail('not a JSON object');
  const operations = new Map<string, string>();
  for (const [hash, text] of Object.entries(json)) {
    if (typeof text !== 'string' || operationHash(text) !== hash)
      throw fail(`entry ${hash} is not the sha256 of its text`);
    operations.set(hash, text);
  }
  if (operations.size === 0) throw fail('the manifest lists no operation');
  return operations;
}
