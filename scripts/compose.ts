import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { composeSupergraph } from './composeSupergraph';

/** `npm run compose`: writes schema/*.graphql; a composition error fails the build. */
async function main(): Promise<void> {
  const dir = path.resolve('schema');
  await mkdir(dir, { recursive: true });
  const composed = await composeSupergraph();
  for (const { name, sdl } of composed.subgraphs) await writeFile(path.join(dir, `${name}.graphql`), sdl);
  await writeFile(path.join(dir, 'supergraph.graphql'), composed.supergraphSdl);
  await writeFile(path.join(dir, 'api.graphql'), composed.apiSdl);
  console.log(`composed ${composed.subgraphs.length} subgraphs into schema/supergraph.graphql`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
