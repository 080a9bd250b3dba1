import { parse, type OperationDefinitionNode } from 'graphql';
import { fragmentsOf } from '../limits/fragmentsOf';
import { accountKey, logInAccounts } from './logInAccounts';

function accounts(source: string, variables?: Record<string, unknown>) {
  const document = parse(source);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return logInAccounts(operation, fragmentsOf(document), variables);
}

const logIn = (alias: string, email: string) => `${alias}: logIn(email: ${email}, password: "p") { token }`;

describe('logInAccounts', () => {
  it('names the account of each logIn by its email, literal or variable, with its tries', () => {
    expect(accounts(`mutation { ${logIn('a', '"alice@example.com"')} ${logIn('b', '"alice@example.com"')} }`)).toEqual([
      { key: accountKey('alice@example.com'), attempts: 2, responseNames: ['a', 'b'] },
    ]);
    expect(
      accounts(`mutation ($e: String!) { ${logIn('a', '$e')} ${logIn('b', '"bob@example.com"')} }`, {
        e: 'alice@example.com',
      }).map((a) => [a.key, a.attempts]),
    ).toEqual([
      [accountKey('alice@example.com'), 1],
      [accountKey('bob@example.com'), 1],
    ]);
  });

  it('is one account whatever the case and surrounding blanks, as users normalises it', () => {
    const [account] = accounts(
      `mutation ($e: String!) { ${logIn('a', '$e')} ${logIn('b', '"alice@example.com"')} ${logIn('c', '"ALICE@Example.COM"')} }`,
      { e: '  Alice@Example.com ' },
    );
    expect(account).toMatchObject({ key: accountKey('alice@example.com'), attempts: 3 });
  });

  it('keeps the email out of the key', () => {
    const key = accountKey('alice@example.com');
    expect(key).toMatch(/^account:[0-9a-f]{32}$/);
    expect(key).not.toContain('alice');
  });

  it('follows fragments, each spread a try, and takes a variable default', () => {
    const fragment = `fragment L on Mutation { ${logIn('x', '"alice@example.com"')} }`;
    expect(accounts(`mutation { ...L ...L ... on Mutation { ...L } } ${fragment}`)).toEqual([
      { key: accountKey('alice@example.com'), attempts: 3, responseNames: ['x'] },
    ]);
    expect(accounts(`mutation ($e: String! = "alice@example.com") { ${logIn('a', '$e')} }`)[0].key).toBe(
      accountKey('alice@example.com'),
    );
  });

  it('names no account for queries, other fields, or an email that is no string', () => {
    expect(accounts(`{ logIn(email: "a@example.com") { token } }`)).toEqual([]);
    expect(accounts(`mutation { signUp(input: { email: "a@example.com" }) { token } }`)).toEqual([]);
    expect(accounts(`mutation ($e: String!) { ${logIn('a', '$e')} }`, { e: 42 })).toEqual([]);
  });
});
