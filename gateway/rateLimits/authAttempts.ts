import type { FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';
import { countRootFields } from './rootFields';

/** The mutations that check a password: each one selected is one guess. */
export const AUTH_FIELDS: ReadonlySet<string> = new Set(['logIn', 'signUp']);

/**
 * How many `logIn`/`signUp` fields a mutation selects at its root, aliases
 * included, following fragments as if written out (rootFields.ts): 1,000
 * aliased logIns are 1,000 attempts. 0 for queries and subscriptions.
 */
export function authAttempts(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
): number {
  if (operation.operation !== 'mutation') return 0;
  return countRootFields(operation, fragments, (field) => AUTH_FIELDS.has(field.name.value));
}
