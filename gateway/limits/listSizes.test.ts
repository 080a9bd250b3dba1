import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { DEFAULT_LIST_SIZE, listSizesFor, readListSizes, rememberListSizes } from './listSizes';

const supergraph = (link: string, directive: string) => `
  schema @link(url: "https://specs.apollo.dev/link/v1.0") ${link} { query: Query }
  type Query { orders: [Order!]! }
  type Order { items: [Int!]! ${directive}(assumedSize: 3) }`;

describe('the list sizes of a supergraph', () => {
  it('reads what the subgraphs declared into the committed supergraph', () => {
    const sizes = readListSizes(
      readFileSync(path.resolve(__dirname, '../../schema/supergraph.graphql'), 'utf8'),
      DEFAULT_LIST_SIZE,
    );
    const connection = { slicingArguments: ['first'], sizedFields: ['edges'] };
    expect(Object.fromEntries(sizes.declared)).toEqual({
      'Order.items': { assumedSize: 100 },
      'Order.history': { assumedSize: 4 },
      'Query.products': connection,
      'User.orders': connection,
    });
    expect(sizes.fallback).toBe(DEFAULT_LIST_SIZE);
  });

  it('finds the directive under the name the cost link gives it: imported, renamed or namespaced', () => {
    const cost = 'https://specs.apollo.dev/cost/v0.1';
    const cases = [
      [`@link(url: "${cost}", import: ["@listSize"])`, '@listSize'],
      [`@link(url: "${cost}", import: [{ name: "@listSize", as: "@size" }])`, '@size'],
      [`@link(url: "${cost}")`, '@cost__listSize'],
      [`@link(url: "${cost}", as: "demand")`, '@demand__listSize'],
    ];
    for (const [link, directive] of cases) {
      expect(readListSizes(supergraph(link, directive), 9).declared.get('Order.items')).toMatchObject({
        assumedSize: 3,
      });
    }
    // Without the cost link, a directive of that name is someone else's.
    expect(readListSizes(supergraph('', '@listSize'), 9).declared.size).toBe(0);
  });

  it('keeps the sizes per API schema, and declares nothing for a schema it was not given', () => {
    const served = buildSchema('type Query { a: Int }');
    const other = buildSchema('type Query { a: Int }');
    const sizes = { declared: new Map([['Order.items', { assumedSize: 3 }]]), fallback: 9 };
    rememberListSizes(served, sizes);
    expect(listSizesFor(served)).toBe(sizes);
    expect(listSizesFor(other)).toEqual({ declared: new Map(), fallback: DEFAULT_LIST_SIZE });
  });
});
