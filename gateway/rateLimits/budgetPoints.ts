import type { FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';
import { countRootFields } from './rootFields';

/**
 * The points an operation takes from its caller's operations budget. A
 * mutation costs one per root field, aliases and fragments included: each is
 * a separate write (ten aliased placeOrders place ten orders), so one request
 * must not carry ten for the price of one. A query or a subscription costs 1:
 * what it reads is bounded apart, by MAX_COST and MAX_ROOT_FIELDS
 * (gateway/limits/), and charging reads per field would make a page's one
 * query as dear as a dozen writes. `__typename` is no write; a mutation
 * costs at least 1 all the same.
 */
export function budgetPoints(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
): number {
  if (operation.operation !== 'mutation') return 1;
  return Math.max(
    1,
    countRootFields(operation, fragments, (field) => !field.name.value.startsWith('__')),
  );
}
