import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getIntrospectionQuery,
  Kind,
  parse,
  specifiedRules,
  validate,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { limitSettings } from './limitSettings';
import { DEFAULT_LIST_SIZE, readListSizes, type ListSizes } from './listSizes';
import { measureOperation, operationCost, operationShapeRule, type ShapeLimits } from './operationLimits';

const schema = buildSchema(readFileSync(path.resolve(__dirname, '../../schema/api.graphql'), 'utf8'));
// The sizes the subgraphs declared, as the gateway reads them from the supergraph it loads.
const declaredSizes = readListSizes(
  readFileSync(path.resolve(__dirname, '../../schema/supergraph.graphql'), 'utf8'),
  DEFAULT_LIST_SIZE,
);
const LIMITS: ShapeLimits = { maxDepth: 10, maxAliases: 30, maxRootFields: 10 };

/** The codes of the errors validation reports, graphql's own rules included. */
function refusals(query: string, limits = LIMITS): string[] {
  const errors = validate(schema, parse(query), [...specifiedRules, operationShapeRule(limits)]);
  return errors.map((e) => String(e.extensions.code ?? e.message));
}

function cost(query: string, variables: Record<string, unknown> = {}, sizes: ListSizes = declaredSizes): number {
  return costIn(schema, query, variables, sizes);
}

function costIn(on: GraphQLSchema, query: string, variables: Record<string, unknown>, sizes: ListSizes): number {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return operationCost(on, operation, fragments, variables, sizes);
}

/** `me { orders { edges { node { user { ... } } } } }` nested `levels` times around `leaf`: depth 4 per level + 1. */
function ordersNest(levels: number, leaf: string): string {
  let inner = leaf;
  for (let i = 0; i < levels; i++) inner = `orders(first: 1) { edges { node { user { ${inner} } } } }`;
  return `{ me { ${inner} } }`;
}

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');

describe('depth', () => {
  // me 1, then 4 per level (orders, edges, node, user), then the leaf.
  const atTen = ordersNest(2, 'id'); // 1 + 8 + 1 = 10
  const atEleven = ordersNest(2, 'orders(first: 1) { totalCount }'); // 1 + 8 + 2 = 11

  it('passes at the limit and refuses one over, with the limit and the depth', () => {
    expect(refusals(atTen)).toEqual([]);
    const errors = validate(schema, parse(atEleven), [operationShapeRule(LIMITS)]);
    expect(errors).toHaveLength(1);
    expect(errors[0].extensions).toMatchObject({ code: 'MAX_DEPTH_EXCEEDED', limit: 10, actual: 11 });
    expect(errors[0].message).toBe('The query depth is 11, over the limit of 10');
  });

  it('follows named and inline fragments, nested', () => {
    const viaFragments = `
      { me { ...A } }
      fragment A on User { orders(first: 1) { edges { ... on OrderEdge { node { ...B } } } } }
      fragment B on Order { user { orders(first: 1) { edges { node { user { ...C } } } } } }
      fragment C on User { orders(first: 1) { totalCount } }`;
    expect(refusals(viaFragments)).toEqual(['MAX_DEPTH_EXCEEDED']);
    expect(refusals(viaFragments.replace('orders(first: 1) { totalCount }', 'id'))).toEqual([]);
  });

  it('does not count introspection subtrees, so the full introspection query passes', () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    expect(refusals(query)).toEqual([]);
    expect(cost(query)).toBeLessThan(5_000);
  });

  it('does not loop on a fragment cycle (graphql reports the cycle)', () => {
    const cyclic = `{ me { ...A } } fragment A on User { orders { edges { node { user { ...A } } } } }`;
    expect(refusals(cyclic)).toContain('Cannot spread fragment "A" within itself.');
    expect(cost(cyclic)).toBeGreaterThan(0);
  });
});

describe('aliases', () => {
  const aliased = (n: number) => `{ products(first: 1) { ${repeat(n, (i) => `a${i}: totalCount`)} } }`;

  it('passes 30 and refuses 31', () => {
    expect(refusals(aliased(30))).toEqual([]);
    expect(refusals(aliased(31))).toEqual(['MAX_ALIASES_EXCEEDED']);
  });

  it('counts a fragment each time it is spread, named or inline', () => {
    const fragment = `fragment F on ProductConnection { ${repeat(10, (i) => `a${i}: totalCount`)} }`;
    expect(refusals(`{ products { ...F ...F ...F } } ${fragment}`)).toEqual([]);
    expect(refusals(`{ products { ...F ...F ...F x: totalCount } } ${fragment}`)).toEqual(['MAX_ALIASES_EXCEEDED']);
    expect(refusals(`{ products { ...F ...F ... on ProductConnection { ...F y: totalCount } } } ${fragment}`)).toEqual([
      'MAX_ALIASES_EXCEEDED',
    ]);
  });

  it('stays linear when fragments fan out (each is measured once)', () => {
    const layers = repeat(20, (i) => `fragment L${i} on Query { ...L${i + 1} ...L${i + 1} }`);
    const query = `{ ...L0 } ${layers} fragment L20 on Query { x: __typename }`;
    const document = parse(query);
    const errors = validate(schema, document, [operationShapeRule({ ...LIMITS, maxRootFields: 1e9 })]);
    expect(errors[0].extensions).toMatchObject({ code: 'MAX_ALIASES_EXCEEDED', actual: 2 ** 20 });
    // Measured once: each fragment is looked up a single time, though L20 is spread 2^20 times.
    const fragments = new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    const lookups = new Map<string, number>();
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    const shape = measureOperation(operation, (name) => {
      lookups.set(name, (lookups.get(name) ?? 0) + 1);
      return fragments.get(name);
    });
    expect(shape.aliases).toBe(2 ** 20);
    expect(lookups).toEqual(new Map([...fragments.keys()].map((name) => [name, 1])));
  });
});

describe('root fields', () => {
  const roots = (n: number) => `{ ${repeat(n, (i) => `p${i}: product(id: "${i}") { id }`)} }`;

  it('passes 10 and refuses 11', () => {
    expect(refusals(roots(10))).toEqual([]);
    const errors = validate(schema, parse(roots(11)), [operationShapeRule(LIMITS)]);
    expect(errors[0].extensions).toMatchObject({ code: 'MAX_ROOT_FIELDS_EXCEEDED', limit: 10, actual: 11 });
  });

  it('flattens fragments at the root', () => {
    const fragment = `fragment R on Query { ${repeat(5, (i) => `r${i}: __typename`)} }`;
    expect(refusals(`{ ...R ... on Query { ...R } } ${fragment}`)).toEqual([]);
    expect(refusals(`{ ...R ... on Query { ...R me { id } } } ${fragment}`)).toEqual(['MAX_ROOT_FIELDS_EXCEEDED']);
  });
});

describe('cost', () => {
  it('counts each field once and multiplies a paged subtree by first', () => {
    expect(cost('{ me { id email } }')).toBe(3);
    // products 1 + 10 x (edges 1 + node 1 + id 1 + name 1)
    expect(cost('{ products(first: 10) { edges { node { id name } } } }')).toBe(41);
    // the schema default, 20
    expect(cost('{ products { totalCount } }')).toBe(21);
  });

  it('takes first from variables, then the variable default, then the schema default', () => {
    const query = 'query($n: Int) { products(first: $n) { totalCount } }';
    expect(cost(query, { n: 50 })).toBe(51);
    expect(cost(query)).toBe(21);
    expect(cost('query($n: Int = 7) { products(first: $n) { totalCount } }')).toBe(8);
    expect(cost('query($n: Int = 7) { products(first: $n) { totalCount } }', { n: 3 })).toBe(4);
  });

  it('multiplies nested pages: the orders -> user -> orders nesting is far over MAX_COST', () => {
    const nested = `{ me { orders(first: 100) { edges { node { user { orders(first: 100) { edges { node { id } } } } } } } } }`;
    // me 1 + orders 1 + 100 x (edges, node, user 3 + orders 1 + 100 x 3)
    expect(cost(nested)).toBe(2 + 100 * (3 + 1 + 300));
  });

  it('follows named and inline fragments', () => {
    const viaFragments = `{ me { ...O } }
      fragment O on User { orders(first: 100) { edges { ... on OrderEdge { node { ...U } } } } }
      fragment U on Order { user { orders(first: 100) { edges { node { id } } } } }`;
    expect(cost(viaFragments)).toBe(2 + 100 * (3 + 1 + 300));
  });

  it('is exact around a threshold', () => {
    // 1 + n x 3
    const page = (n: number) => cost(`{ products(first: ${n}) { edges { node { id } } } }`);
    expect(page(1666)).toBe(4999);
    expect(page(1667)).toBe(5002);
  });
});

describe('cost of lists', () => {
  const introspection = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
  });
  // A list nobody declared a size for, one sized by a slicing argument of its own name, a list of scalars.
  const shelves = buildSchema(`
    type Query { shelves: [Shelf!]! shelf(size: Int): Shelf }
    type Shelf { books: [Book!]! tags: [String!]! }
    type Book { title: String }`);
  const shelfSizes: ListSizes = {
    declared: new Map([['Query.shelf', { slicingArguments: ['size'], sizedFields: ['books'] }]]),
    fallback: 7,
  };

  it("multiplies an order's items by 100 and its history by 4, the sizes orders declares", () => {
    const query = 'query($id: ID!) { order(id: $id) { items { quantity product { id } } history { status at } } }';
    // order 1 + items (1 + 100 x (quantity 1 + product 2)) + history (1 + 4 x 2)
    expect(cost(query, { id: 'o' })).toBe(1 + (1 + 100 * 3) + (1 + 4 * 2));
  });

  it('prices 100 orders with their items and history at 31,202, over MAX_COST (902 when lists counted once)', () => {
    const query = `{ me { orders(first: 100) { edges { node {
      items { product { id name } } history { status at } } } } } }`;
    // me 1 + orders 1 + 100 x (edges 1 + node 1 + items (1 + 100 x 3) + history (1 + 4 x 2))
    expect(cost(query)).toBe(2 + 100 * (2 + 301 + 9));
    expect(cost(query)).toBeGreaterThan(limitSettings.read({}).limits.maxCost);
  });

  it("counts a page's edges once: its first already multiplies them (sizedFields)", () => {
    const query = '{ products(first: 10) { edges { node { id } } } }';
    expect(cost(query)).toBe(1 + 10 * 3);
    // Without products' declaration the edges would be a list of unknown size.
    expect(cost(query, {}, { declared: new Map(), fallback: 100 })).toBe(1 + 10 * (1 + 100 * 2));
  });

  it('falls back to DEFAULT_LIST_SIZE for a list with no size declared, and counts a list of scalars once', () => {
    // shelves 1 + 7 x (books 1 + 7 x title 1)
    expect(costIn(shelves, '{ shelves { books { title } } }', {}, shelfSizes)).toBe(1 + 7 * (1 + 7));
    expect(costIn(shelves, '{ shelves { tags } }', {}, shelfSizes)).toBe(1 + 7);
  });

  it('takes the page size from the declared slicing arguments, from variables too', () => {
    expect(costIn(shelves, '{ shelf(size: 3) { books { title } } }', {}, shelfSizes)).toBe(1 + 3 * 2);
    expect(costIn(shelves, 'query($n: Int) { shelf(size: $n) { books { title } } }', { n: 50 }, shelfSizes)).toBe(
      1 + 50 * 2,
    );
  });

  it('sizes a fragment by the field it is spread in', () => {
    const query = '{ shelf(size: 3) { ...B } shelves { ...B } } fragment B on Shelf { books { title } }';
    // shelf: 1 + 3 x (books 1 + 1 x 1); shelves: 1 + 7 x (books 1 + 7 x 1)
    expect(costIn(shelves, query, {}, shelfSizes)).toBe(1 + 3 * 2 + (1 + 7 * 8));
  });

  it("counts introspection's lists once, so Sandbox's introspection query stays far under MAX_COST", () => {
    const withDeclared = cost(introspection);
    expect(cost(introspection, {}, { declared: new Map(), fallback: 1_000_000 })).toBe(withDeclared);
    expect(withDeclared).toBeLessThan(limitSettings.read({}).limits.maxCost / 10);
  });
});
