import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { findOverlongString, refuseOverlongStrings } from './stringLengths';

const MAX = 10;

function overlong(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return findOverlongString(document, operation, variables, MAX);
}

describe('the longest string an operation may carry', () => {
  it('passes strings at the limit and finds one over it in an argument, naming the argument', () => {
    expect(overlong(`{ products(search: "${'s'.repeat(MAX)}") { totalCount } }`)).toBeUndefined();
    expect(overlong(`{ products(search: "${'s'.repeat(MAX + 1)}") { totalCount } }`)).toEqual({
      where: 'search',
      length: MAX + 1,
    });
  });

  it("finds one in an input object's field, a block string, a fragment and a variable's default", () => {
    const long = 'x'.repeat(MAX + 1);
    expect(overlong(`mutation { createProduct(input: { sku: "a", name: "${long}", price: 1 }) { id } }`)).toEqual({
      where: 'name',
      length: MAX + 1,
    });
    expect(overlong(`{ products(search: """${long}""") { totalCount } }`)?.where).toBe('search');
    expect(overlong(`{ ...F } fragment F on Query { product(id: "${long}") { id } }`)?.where).toBe('id');
    expect(overlong(`query($s: String = "${long}") { products(search: $s) { totalCount } }`)?.where).toBe('$s');
  });

  it("finds one anywhere in a declared variable's value, with its path", () => {
    const query = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';
    const input = {
      items: [
        { productId: 'p', quantity: 1 },
        { productId: 'p'.repeat(MAX + 1), quantity: 1 },
      ],
    };
    expect(overlong(query, { input })).toEqual({ where: '$input.items[1].productId', length: MAX + 1 });
  });

  it('ignores variables the operation does not declare: graphql never sends them on', () => {
    expect(overlong('{ __typename }', { pad: 'x'.repeat(MAX * 100) })).toBeUndefined();
  });

  it('walks a variable nested deeper than the call stack without overflowing it', () => {
    let deep: unknown = 'x'.repeat(MAX + 1);
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(overlong('query($ids: [ID!]!) { __typename }', { ids: deep })?.length).toBe(MAX + 1);
  });

  it('refuses with BAD_USER_INPUT, HTTP 400, naming where, how long and the limit', () => {
    const document = parse('query($s: String) { products(search: $s) { totalCount } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const refuse = () => refuseOverlongStrings(document, operation, { s: 's'.repeat(100_000) }, 10_000);
    expect(refuse).toThrow('$s is 100000 characters, over the limit of 10000');
    try {
      refuse();
    } catch (error) {
      expect((error as { extensions: unknown }).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: '$s',
        limit: 10_000,
        actual: 100_000,
        http: { status: 400 },
      });
    }
  });
});
