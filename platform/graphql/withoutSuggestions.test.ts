import {
  buildSchema,
  GraphQLError,
  parse,
  validate,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { withoutSuggestion, withoutSuggestions } from './withoutSuggestions';

const schema = buildSchema(`
  enum OrderStatus { PENDING PAID REJECTED }
  input OrderItemInput { productId: ID! quantity: Int! }
  type Query { orders(status: OrderStatus): Int, quote(item: OrderItemInput): Int, totalCount: Int }
`);

/** The messages graphql-js itself writes for each mistake, hints included. */
function messagesFor(query: string, variables: Record<string, unknown> = {}): string[] {
  const document = parse(query);
  const invalid = validate(schema, document);
  if (invalid.length > 0) return invalid.map((e) => e.message);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  return (errors ?? []).map((e) => e.message);
}

const MISTAKES: [string, string[]][] = [
  ['a field', messagesFor('{ totalCont }')],
  ['an enum literal', messagesFor('{ orders(status: PAIDD) }')],
  ['an enum variable', messagesFor('query ($s: OrderStatus) { orders(status: $s) }', { s: 'PAIDD' })],
  ['an input field literal', messagesFor('{ quote(item: { productId: "1", quantiti: 1 }) }')],
  [
    'an input field variable',
    messagesFor('query ($i: OrderItemInput) { quote(item: $i) }', { i: { productId: '1', quantiti: 1 } }),
  ],
];

describe('"Did you mean" hints', () => {
  it.each(MISTAKES)('are removed from the message graphql-js writes for %s', (_what, messages) => {
    expect(messages.some((m) => m.includes('Did you mean'))).toBe(true);
    for (const message of messages) {
      expect(withoutSuggestion(message)).not.toMatch(/Did you mean/);
      expect(message.startsWith(withoutSuggestion(message))).toBe(true);
    }
  });

  it('are removed by the formatter when hidden, and kept otherwise', () => {
    const [message] = MISTAKES[2][1];
    const error = new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
    const format = (formatted: GraphQLFormattedError) => formatted;
    expect(withoutSuggestions(format, true)(error.toJSON(), error)).toEqual({
      message: 'Variable "$s" got invalid value "PAIDD"; Value "PAIDD" does not exist in "OrderStatus" enum.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(withoutSuggestions(format, false)(error.toJSON(), error).message).toBe(message);
  });
});
