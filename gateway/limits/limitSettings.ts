import { flag, integer } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';
import { DEFAULT_LIST_SIZE } from './listSizes';

/**
 * Every list counts at its bound (an order's 100 items), so the heaviest operation the shop's
 * clients send, MyOrdersWithItems, costs 2 + 407 per order: 8,142 at the default page of 20,
 * 10,177 at the bench's 25 (clientOperations.test.ts). 12,000 admits it up to 29 orders and
 * refuses 100 orders with their items and history (31,202).
 */
const MAX_COST_DEFAULT = 12_000;

export interface LimitSettings {
  /** Largest JSON body accepted; a larger one gets 413. */
  maxBodyBytes: number;
  /** Lexical tokens the parser reads before giving up. */
  maxTokens: number;
  /** Field nesting; introspection's `__schema`/`__type` subtrees do not count. */
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  /** Each field 1, a list's subtree times its size (operationLimits.ts). */
  maxCost: number;
  /** The size the cost counts for a list with neither `first` nor a declared `@listSize`. */
  defaultListSize: number;
  /** Longest string in an operation's literals and variables. */
  maxStringLength: number;
}

/** Request limits, all checked before any subgraph is called. */
export const limitSettings = settingsGroup(
  'limits',
  ['gateway'],
  {
    MAX_BODY_BYTES: integer({
      default: 2_097_152,
      min: 1,
      description: 'largest JSON body accepted; a larger one gets 413',
    }),
    MAX_TOKENS: integer({ default: 2_000, min: 1, description: 'lexical tokens the parser reads before giving up' }),
    MAX_DEPTH: integer({
      default: 10,
      min: 1,
      description: "field nesting; introspection's `__schema`/`__type` subtrees do not count",
    }),
    MAX_ALIASES: integer({ default: 30, min: 0, description: 'aliased fields in one operation' }),
    MAX_ROOT_FIELDS: integer({ default: 10, min: 1, description: 'root fields in one operation' }),
    MAX_COST: integer({
      default: MAX_COST_DEFAULT,
      min: 1,
      description:
        "each field 1, a list's subtree times its size: `first` where paged, else the subgraph's `@listSize`, else DEFAULT_LIST_SIZE",
    }),
    DEFAULT_LIST_SIZE: integer({
      default: DEFAULT_LIST_SIZE,
      min: 1,
      description: 'the size the cost counts for a list with neither `first` nor a declared `@listSize`',
    }),
    MAX_STRING_LENGTH: integer({
      default: 10_000,
      min: 1,
      description:
        "longest string in an operation's literals and variables (BAD_USER_INPUT); each subgraph bounds its own arguments tighter",
    }),
    ALLOW_BATCHED_REQUESTS: flag({
      default: false,
      description:
        '`true`: accept a JSON array of operations in one request (off: one request is one operation to limit)',
    }),
  },
  (s): { limits: LimitSettings; allowBatchedRequests: boolean } => ({
    limits: {
      maxBodyBytes: s.MAX_BODY_BYTES,
      maxTokens: s.MAX_TOKENS,
      maxDepth: s.MAX_DEPTH,
      maxAliases: s.MAX_ALIASES,
      maxRootFields: s.MAX_ROOT_FIELDS,
      maxCost: s.MAX_COST,
      defaultListSize: s.DEFAULT_LIST_SIZE,
      maxStringLength: s.MAX_STRING_LENGTH,
    },
    allowBatchedRequests: s.ALLOW_BATCHED_REQUESTS,
  }),
);
