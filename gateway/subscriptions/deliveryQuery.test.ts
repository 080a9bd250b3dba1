import { parse, print, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { deliveryQuery, responseKeysOf } from './deliveryQuery';
import { formatEventId, parseEventId } from './eventId';

function parts(text: string) {
  const document = parse(text);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const root = operation.selectionSet.selections[0] as FieldNode;
  return { document, operation, root };
}

describe('deliveryQuery', () => {
  it('reads the subscription selection from the query field, under the response key, with the entity id variable', () => {
    const { document, operation, root } = parts(`
      subscription Follow($id: ID!, $first: Int) { o: orderUpdated(id: $id) { status ...Lines } }
      fragment Lines on Order { items { quantity } }`);
    const delivery = deliveryQuery(document, operation, root, 'order', { withHistory: false });
    expect(delivery.responseKey).toBe('o');
    expect(delivery.operationName).toBe('Follow');
    expect(print(delivery.document)).toBe(
      print(
        parse(`
        query Follow($id: ID!, $first: Int, $subscribedEntityId: ID!) { o: order(id: $subscribedEntityId) { status ...Lines } }
        fragment Lines on Order { items { quantity } }`),
      ),
    );
  });

  it('adds the hidden status and history an order needs for its place, when asked', () => {
    const { document, operation, root } = parts('subscription { myOrdersUpdated { id } }');
    const text = deliveryQuery(document, operation, root, 'order', { withHistory: true }).text;
    expect(text).toContain('_subscriptionStatus: status');
    expect(text).toContain('_subscriptionHistory: history');
  });
});

describe('responseKeysOf', () => {
  it('finds the keys a selection reads fields under, through aliases and fragments', () => {
    const { document, root } = parts(`
      subscription { orderUpdated(id: "1") { s: status ... on Order { updatedAt } ...F id } }
      fragment F on Order { rejectionReason }`);
    const fragments = new Map(
      document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : [])),
    );
    const keys = responseKeysOf(root.selectionSet, fragments, new Set(['status', 'updatedAt', 'rejectionReason']));
    expect([...keys]).toEqual([
      ['s', 'status'],
      ['updatedAt', 'updatedAt'],
      ['rejectionReason', 'rejectionReason'],
    ]);
  });
});

describe('event ids', () => {
  it('round-trips positions in several streams', () => {
    const id = formatEventId(
      new Map([
        ['inventory', 55],
        ['orders', 7],
      ]),
    );
    expect(id).toBe('inventory:55,orders:7');
    expect(parseEventId(id)).toEqual(
      new Map([
        ['inventory', 55],
        ['orders', 7],
      ]),
    );
  });

  it('resumes nothing from a malformed id', () => {
    for (const bad of ['', 'orders', 'orders:-1', 'orders:1;drop', 'x'.repeat(300)]) {
      expect(parseEventId(bad)).toBeUndefined();
    }
  });
});
