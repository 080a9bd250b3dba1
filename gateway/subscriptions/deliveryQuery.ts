import {
  Kind,
  print,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { operationHash } from '../persistedOperations/manifest';

/** The variable the delivery query takes the changed entity's id in. */
export const ENTITY_ID_VARIABLE = 'subscribedEntityId';
/** Fields the gateway adds for itself (an order's status and history, for its position); taken out before a client sees them. */
export const HIDDEN_HISTORY_KEY = '_subscriptionHistory';
export const HIDDEN_STATUS_KEY = '_subscriptionStatus';

/** The query that resolves a subscription's selection for one changed entity, through the query plan. */
export interface DeliveryQuery {
  document: DocumentNode;
  text: string;
  /** The text's hash: the gateway caches one query plan per delivery query. */
  hash: string;
  operationName?: string;
  /** The key of the subscription's root field in a result: its alias, or its name. */
  responseKey: string;
}

/**
 * `subscription S($x: T) { orderUpdated(id: $x) { status ... } }` becomes
 * `query S($x: T, $subscribedEntityId: ID!) { orderUpdated: order(id: $subscribedEntityId) { status ... } }`:
 * the same selection, fragments and variables, read from the query field
 * that owns the entity, under the subscription's response key. So each event
 * is resolved across subgraphs like any query, with the subscriber's identity,
 * and authorized by the owning subgraph.
 */
export function deliveryQuery(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  root: FieldNode,
  queryField: string,
  options: { withHistory: boolean },
): DeliveryQuery {
  const responseKey = root.alias?.value ?? root.name.value;
  const selections: SelectionNode[] = [...(root.selectionSet?.selections ?? [])];
  if (options.withHistory) selections.push(...hiddenPositionFields());
  const field: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: responseKey },
    name: { kind: Kind.NAME, value: queryField },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: 'id' },
        value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ENTITY_ID_VARIABLE } },
      },
    ],
    directives: root.directives,
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: operation.name,
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []),
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ENTITY_ID_VARIABLE } },
        type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
      },
    ],
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
  };
  const fragments = document.definitions.filter(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
  );
  const delivery: DocumentNode = { kind: Kind.DOCUMENT, definitions: [query, ...fragments] };
  const text = print(delivery);
  return { document: delivery, text, hash: operationHash(text), operationName: operation.name?.value, responseKey };
}

function hiddenPositionFields(): FieldNode[] {
  return [
    {
      kind: Kind.FIELD,
      alias: { kind: Kind.NAME, value: HIDDEN_STATUS_KEY },
      name: { kind: Kind.NAME, value: 'status' },
    },
    {
      kind: Kind.FIELD,
      alias: { kind: Kind.NAME, value: HIDDEN_HISTORY_KEY },
      name: { kind: Kind.NAME, value: 'history' },
      selectionSet: {
        kind: Kind.SELECTION_SET,
        selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'status' } }],
      },
    },
  ];
}

/**
 * The response keys under which the root field's selection reads each of
 * `fields` of the entity itself (`s: status` -> s), through inline fragments
 * and fragment spreads: where a change's own values replace what is read at
 * delivery, so a frame shows the change it stands for.
 */
export function responseKeysOf(
  selectionSet: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  fields: ReadonlySet<string>,
): Map<string, string> {
  const keys = new Map<string, string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (fields.has(selection.name.value))
          keys.set(selection.alias?.value ?? selection.name.value, selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        walk(fragments.get(selection.name.value)?.selectionSet);
      }
    }
  };
  walk(selectionSet);
  return keys;
}
