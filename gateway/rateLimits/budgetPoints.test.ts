import { parse, type OperationDefinitionNode } from 'graphql';
import { fragmentsOf } from '../limits/fragmentsOf';
import { budgetPoints } from './budgetPoints';

function cost(source: string): number {
  const document = parse(source);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return budgetPoints(operation, fragmentsOf(document));
}

const placeOrder = (alias: string) => `${alias}: placeOrder(input: { lines: [] }) { id }`;
const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');

describe('budgetPoints', () => {
  it('charges a mutation one point per root field: ten aliased placeOrders cost ten', () => {
    expect(cost(`mutation { placeOrder(input: { lines: [] }) { id } }`)).toBe(1);
    expect(cost(`mutation { ${repeat(10, (i) => placeOrder(`o${i}`))} }`)).toBe(10);
    expect(cost(`mutation { ${placeOrder('a')} cancelOrder(id: "1") { id } }`)).toBe(2);
  });

  it('follows fragments, each spread counted, and stays linear when they fan out', () => {
    expect(cost(`mutation { ...P ...P ... on Mutation { ...P } } fragment P on Mutation { ${placeOrder('x')} }`)).toBe(
      3,
    );
    const layers = repeat(20, (i) => `fragment L${i} on Mutation { ...L${i + 1} ...L${i + 1} }`);
    expect(cost(`mutation { ...L0 } ${layers} fragment L20 on Mutation { ${placeOrder('a')} }`)).toBe(2 ** 20);
  });

  it('charges a query or a subscription 1 whatever it selects', () => {
    expect(cost(`{ a: products(first: 1) { totalCount } b: products(first: 2) { totalCount } me { id } }`)).toBe(1);
    expect(cost(`subscription { myOrdersUpdated { id } }`)).toBe(1);
  });

  it('charges at least 1, and nothing for __typename', () => {
    expect(cost(`mutation { __typename }`)).toBe(1);
    expect(cost(`mutation { __typename ${placeOrder('a')} ${placeOrder('b')} }`)).toBe(2);
  });
});
