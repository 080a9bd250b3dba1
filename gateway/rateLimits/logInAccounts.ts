import { createHash } from 'node:crypto';
import { Kind, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { tallyRootFields } from './rootFields';

/** The accounts one operation tries to log in to, each with its share of the attempts. */
export interface LogInAccount {
  /** The account's budget key: a hash of the normalised email, so neither Redis nor a log holds the address. */
  key: string;
  /** logIn fields for this account, aliases and fragment spreads included. */
  attempts: number;
  /** Where those fields answer in the result, to tell a success (their data is set) from a failure. */
  responseNames: string[];
}

/**
 * As users normalises an email before it looks the account up (its
 * domain/accountRules.ts normaliseEmail), so that ` Alice@Example.com` and
 * `alice@example.com`, one account there, are one budget here too.
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function accountKey(email: string): string {
  return `account:${createHash('sha256').update(normaliseEmail(email)).digest('hex').slice(0, 32)}`;
}

/**
 * The accounts a mutation's root `logIn` fields name, by their `email`
 * argument, a literal or a variable (its default when not sent). A field
 * whose email is no string is left out: its variables fail coercion and it
 * never runs. Nothing for queries and subscriptions.
 */
export function logInAccounts(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>> = {},
): LogInAccount[] {
  if (operation.operation !== 'mutation') return [];
  // Fields that answer under one response name have the same arguments (validation merges them).
  const byResponseName = tallyRootFields(operation, fragments, (field) =>
    field.name.value === 'logIn' ? (field.alias ?? field.name).value : undefined,
  );
  const accounts = new Map<string, LogInAccount>();
  for (const [responseName, { field, count }] of byResponseName) {
    const email = emailOf(field, operation, variables);
    if (email === undefined) continue;
    const key = accountKey(email);
    const account = accounts.get(key) ?? { key, attempts: 0, responseNames: [] };
    account.attempts += count;
    account.responseNames.push(responseName);
    accounts.set(key, account);
  }
  return [...accounts.values()];
}

function emailOf(
  field: FieldNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): string | undefined {
  const value = field.arguments?.find((argument) => argument.name.value === 'email')?.value;
  if (value?.kind === Kind.STRING) return value.value;
  if (value?.kind !== Kind.VARIABLE) return undefined;
  const name = value.name.value;
  if (Object.prototype.hasOwnProperty.call(variables, name)) {
    const sent = variables[name];
    return typeof sent === 'string' ? sent : undefined;
  }
  const fallback = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
  return fallback?.kind === Kind.STRING ? fallback.value : undefined;
}
