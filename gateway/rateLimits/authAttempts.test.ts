import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { authAttempts } from './authAttempts';

function attempts(source: string): number {
  const document = parse(source);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return authAttempts(operation, fragments);
}

const logIn = (alias: string) => `${alias}: logIn(email: "a@example.com", password: "p") { token }`;
const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');

describe('authAttempts', () => {
  it('counts each logIn and signUp, aliases included', () => {
    expect(attempts(`mutation { logIn(email: "a", password: "p") { token } }`)).toBe(1);
    expect(attempts(`mutation { ${repeat(1000, (i) => logIn(`a${i}`))} }`)).toBe(1000);
    expect(
      attempts(`mutation { ${logIn('a')} s: signUp(input: { email: "b", password: "p", name: "n" }) { token } }`),
    ).toBe(2);
  });

  it('follows named and inline fragments, each spread counted', () => {
    const fragment = `fragment L on Mutation { ${logIn('x')} ${logIn('y')} }`;
    expect(attempts(`mutation { ...L ...L ... on Mutation { ...L ${logIn('z')} } } ${fragment}`)).toBe(7);
    expect(attempts(`mutation { ... { ... on Mutation { ${logIn('a')} } } }`)).toBe(1);
  });

  it('stays linear when fragments fan out', () => {
    const layers = repeat(20, (i) => `fragment L${i} on Mutation { ...L${i + 1} ...L${i + 1} }`);
    expect(attempts(`mutation { ...L0 } ${layers} fragment L20 on Mutation { ${logIn('a')} }`)).toBe(2 ** 20);
  });

  it('counts 0 for other fields, queries and a fragment cycle', () => {
    expect(attempts(`mutation { placeOrder(input: {}) { id } }`)).toBe(0);
    expect(attempts(`{ logIn { token } }`)).toBe(0);
    expect(attempts(`mutation { ...A } fragment A on Mutation { ...A ${logIn('a')} }`)).toBe(1);
    expect(attempts(`mutation { ...Missing }`)).toBe(0);
  });
});
