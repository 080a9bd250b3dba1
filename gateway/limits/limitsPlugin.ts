import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { fragmentsOf } from './fragmentsOf';
import type { LimitSettings } from './limitSettings';
import { readListSizes, rememberListSizes } from './listSizes';
import { LimitError, operationCost } from './operationLimits';

/**
 * Refuses an operation whose cost (operationLimits.ts) is over `maxCost`.
 * It runs at didResolveOperation, where the request's variables are known and
 * before the gateway plans or fetches anything. The lists' sizes are read from
 * each supergraph the gateway loads (a hot reload included), before it serves it.
 */
export function costLimitPlugin(limits: Pick<LimitSettings, 'maxCost' | 'defaultListSize'>): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ apiSchema, coreSupergraphSdl }) {
          const sizes = coreSupergraphSdl
            ? readListSizes(coreSupergraphSdl, limits.defaultListSize)
            : { declared: new Map(), fallback: limits.defaultListSize };
          rememberListSizes(apiSchema, sizes);
        },
      };
    },
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          refuseOverCost(schema, operation, fragmentsOf(document), request.variables ?? {}, limits.maxCost);
        },
      };
    },
  };
}

/** Throws MAX_COST_EXCEEDED when the operation costs more than `maxCost` (HTTP and subscriptions alike). */
export function refuseOverCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  maxCost: number,
): void {
  const cost = operationCost(schema, operation, fragments, variables);
  if (cost > maxCost) {
    throw new LimitError('MAX_COST_EXCEEDED', `The query cost is ${cost}, over the limit of ${maxCost}`, maxCost, cost);
  }
}

type Formatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

// graphql-js 16 spells it "more that"; later versions may fix the typo.
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/**
 * Gives limit errors their own codes: Apollo files validation errors under
 * GRAPHQL_VALIDATION_FAILED and the parser's token limit under
 * GRAPHQL_PARSE_FAILED. Everything else goes to `format`.
 */
export function withLimitErrors(format: Formatter): Formatter {
  return (formatted, error) => {
    const limit =
      error instanceof LimitError
        ? error
        : error instanceof GraphQLError && error.originalError instanceof LimitError
          ? error.originalError
          : undefined;
    if (limit) {
      return {
        message: limit.message,
        locations: formatted.locations,
        extensions: { code: limit.code, limit: limit.limit, actual: limit.actual },
      };
    }
    const tokens = formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && TOO_MANY_TOKENS.exec(formatted.message);
    if (tokens) {
      // The parser stops at the first token over the limit: the actual count is not known.
      return {
        message: `The document has more than ${tokens[1]} tokens, the limit`,
        locations: formatted.locations,
        extensions: { code: 'MAX_TOKENS_EXCEEDED', limit: Number(tokens[1]) },
      };
    }
    return format(formatted, error);
  };
}
