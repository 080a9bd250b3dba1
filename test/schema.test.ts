import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { buildSchema } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { composeSupergraph, type ComposedSupergraph } from '../scripts/composeSupergraph';
import { contractViolations } from './support/contractDiff';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
// The public contract is kept in shared/contract beside the repo; test/contract holds a copy,
// so a clone alone can check itself, and the copy is checked against the original where it is.
const SHARED_CONTRACT = path.join(ROOT, '../shared/contract/api.graphql');
const CONTRACT = path.join(ROOT, 'test/contract/api.graphql');

/** The contract to check the API against: the repository's copy, else the original; never none. */
function contractSdl(): string {
  const found = [CONTRACT, SHARED_CONTRACT].find((file) => existsSync(file));
  if (!found) throw new Error(`No public contract to check against: neither ${CONTRACT} nor ${SHARED_CONTRACT} exists`);
  return readFileSync(found, 'utf8');
}

let composed: ComposedSupergraph;
beforeAll(async () => {
  composed = await composeSupergraph();
});

describe('composition', () => {
  it('composes the five subgraphs without errors', () => {
    expect(composed.subgraphs.map((s) => s.name)).toEqual(['users', 'products', 'inventory', 'orders', 'payments']);
  });

  it('matches the committed schema files (run `npm run compose` when this fails)', () => {
    for (const { name, sdl } of composed.subgraphs) expect(read(`schema/${name}.graphql`)).toBe(sdl);
    expect(read('schema/supergraph.graphql')).toBe(composed.supergraphSdl);
    expect(read('schema/api.graphql')).toBe(composed.apiSdl);
  });
});

describe('the public API', () => {
  it('implements every type, field, argument and enum value of the contract', () => {
    const contract = buildSchema(contractSdl());
    // A contract with no queries would make the comparison below vacuous.
    expect(Object.keys(contract.getQueryType()?.getFields() ?? {})).not.toHaveLength(0);
    const api = buildSchema(composed.apiSdl);
    expect(contractViolations(contract, api)).toEqual([]);
  });

  // Where the original is beside the repo, the copy must be it; without the original there is nothing to compare.
  (existsSync(SHARED_CONTRACT) ? it : it.skip)('keeps its copy of the contract identical to shared/contract', () => {
    expect(existsSync(CONTRACT)).toBe(true);
    expect(read('test/contract/api.graphql')).toBe(readFileSync(SHARED_CONTRACT, 'utf8'));
  });

  it('keeps internal service-to-service fields out of it', () => {
    const api = buildSchema(composed.apiSdl);
    expect(api.getMutationType()?.getFields().initializeStock).toBeUndefined();
  });
});

describe('codegen', () => {
  it('matches the committed typed documents (run `npm run codegen` when this fails)', async () => {
    const [output] = await generate({ cwd: ROOT, ...parseYaml(read('codegen.yml')), silent: true }, false);
    expect(read('client/generated/graphql.ts')).toBe(output.content);
  });
});
