import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** The mutations that check a password: each one selected is one guess. */
export const AUTH_FIELDS: ReadonlySet<string> = new Set(['logIn', 'signUp']);

/**
 * How many `logIn`/`signUp` fields a mutation selects at its root, aliases
 * included, following named and inline fragments as if written out: 1,000
 * aliased logIns are 1,000 attempts. 0 for queries and subscriptions.
 * Each fragment is counted once (memoised), so fragments spreading each other
 * cannot make this walk exponential; a cycle (which validation refuses
 * anyway) counts 0.
 */
export function authAttempts(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
): number {
  if (operation.operation !== 'mutation') return 0;
  const counted = new Map<string, number>();
  const count = (selectionSet: SelectionSetNode): number => {
    let attempts = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (AUTH_FIELDS.has(selection.name.value)) attempts++;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        attempts += count(selection.selectionSet);
      } else {
        const name = selection.name.value;
        if (!counted.has(name)) {
          counted.set(name, 0); // in progress: a cycle counts 0
          const fragment = fragments[name];
          counted.set(name, fragment ? count(fragment.selectionSet) : 0);
        }
        attempts += counted.get(name) ?? 0;
      }
    }
    return attempts;
  };
  return count(operation.selectionSet);
}
