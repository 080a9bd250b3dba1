import { writeFile } from 'node:fs/promises';
import { buildManifest, MANIFEST_FILE } from './persistedOperationsManifest';

/** Part of `npm run codegen`: writes the persisted-operations manifest the gateway serves with PERSISTED_ONLY. */
async function main(): Promise<void> {
  const manifest = await buildManifest();
  await writeFile(MANIFEST_FILE, manifest);
  console.log(`wrote ${Object.keys(JSON.parse(manifest) as object).length} operations to ${MANIFEST_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
