import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { fragmentsOf } from './fragmentsOf';
import { limitSettings } from './limitSettings';
import { readListSizes } from './listSizes';
import { operationCost } from './operationLimits';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const schema = buildSchema(read('schema/api.graphql'));
const { limits } = limitSettings.read({});
const sizes = readListSizes(read('schema/supergraph.graphql'), limits.defaultListSize);
// What the shop's clients send: client/operations, as the persisted-operations manifest holds them.
const manifest = JSON.parse(read('client/generated/persisted-operations.json')) as Record<string, string>;

function costOf(text: string, variables: Record<string, unknown> = {}): number {
  const document = parse(text);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return operationCost(schema, operation, fragmentsOf(document), variables, sizes);
}

const operations = Object.values(manifest).map((text) => [/^\w+ (\w+)/.exec(text)![1], text] as const);

describe("the shop's client operations under the default MAX_COST", () => {
  it('has operations to check', () => {
    expect(operations.length).toBeGreaterThan(10);
  });

  it.each(operations)('admits %s at the schema default page size', (_name, text) => {
    expect(costOf(text)).toBeLessThanOrEqual(limits.maxCost);
  });

  it('admits MyOrdersWithItems, the heaviest, at the largest page the bench asks for (25)', () => {
    const text = operations.find(([name]) => name === 'MyOrdersWithItems')![1];
    expect(costOf(text, { first: 25 })).toBeLessThanOrEqual(limits.maxCost);
  });
});
