import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Root fields an operation selects under one tally key: how often, and one of them (for its arguments). */
export interface RootFieldTally {
  field: FieldNode;
  count: number;
}

/**
 * Tallies the root fields of an operation by the key `pick` gives each (none:
 * not counted), aliases included, following named and inline fragments as if
 * written out: 1,000 aliased copies are 1,000. Each fragment is tallied once
 * (memoised) and spreads add its tally, so fragments spreading each other
 * cannot make the walk exponential even when the counts are; a cycle (which
 * validation refuses anyway) and an unknown fragment count 0.
 */
export function tallyRootFields(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  pick: (field: FieldNode) => string | undefined,
): Map<string, RootFieldTally> {
  const byFragment = new Map<string, Map<string, RootFieldTally>>();
  const inProgress = new Set<string>();
  const add = (into: Map<string, RootFieldTally>, key: string, field: FieldNode, count: number) => {
    const entry = into.get(key);
    if (entry) entry.count += count;
    else into.set(key, { field, count });
  };
  const tally = (selectionSet: SelectionSetNode, into: Map<string, RootFieldTally>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = pick(selection);
        if (key !== undefined) add(into, key, selection, 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        tally(selection.selectionSet, into);
      } else {
        const name = selection.name.value;
        if (inProgress.has(name)) continue; // a cycle adds nothing
        if (!byFragment.has(name)) {
          const own = new Map<string, RootFieldTally>();
          inProgress.add(name);
          const fragment = fragments[name];
          if (fragment) tally(fragment.selectionSet, own);
          inProgress.delete(name);
          byFragment.set(name, own);
        }
        for (const [key, entry] of byFragment.get(name)!) add(into, key, entry.field, entry.count);
      }
    }
  };
  const out = new Map<string, RootFieldTally>();
  tally(operation.selectionSet, out);
  return out;
}

/** How many root fields `pick` keeps, in all. */
export function countRootFields(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  keep: (field: FieldNode) => boolean,
): number {
  let total = 0;
  for (const { count } of tallyRootFields(operation, fragments, (f) => (keep(f) ? '' : undefined)).values()) {
    total += count;
  }
  return total;
}
