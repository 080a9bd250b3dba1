import type { GraphQLFormattedError } from 'graphql';

type Formatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * graphql-js ends a message with its hint: `... Did you mean "quantity"?`, `... Did you mean the enum
 * value "PAID"?`, `... Did you mean "a", "b", or "c"?`. The same pattern as Apollo's own
 * ApolloServerPluginDisableSuggestions.
 */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/** A message without graphql-js's trailing "Did you mean ...?". */
export function withoutSuggestion(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * With `hide` (production), no error a client sees suggests a name: the hints would spell out,
 * one guess at a time, the schema that introspection hides. Apollo's
 * `hideSchemaDetailsFromClientErrors` strips them from validation errors only; variable values
 * are coerced later (by the gateway's executor, or a subgraph), and subscriptions are validated
 * by the gateway's own SubscriptionService. Every one of those answers through the formatter.
 */
export function withoutSuggestions(format: Formatter, hide: boolean): Formatter {
  if (!hide) return format;
  return (formatted, error) => {
    const answered = format(formatted, error);
    const message = withoutSuggestion(answered.message);
    return message === answered.message ? answered : { ...answered, message };
  };
}
