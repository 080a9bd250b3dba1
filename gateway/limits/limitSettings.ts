import { flag, integer } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';

export interface LimitSettings {
  /** Largest JSON body accepted; a larger one gets 413. */
  maxBodyBytes: number;
  /** Lexical tokens the parser reads before giving up. */
  maxTokens: number;
  /** Field nesting; introspection's `__schema`/`__type` subtrees do not count. */
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  /** Each field 1, a paged field's subtree times its `first`. */
  maxCost: number;
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
      default: 5_000,
      min: 1,
      description: "each field 1, a paged field's subtree times its `first`",
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
    },
    allowBatchedRequests: s.ALLOW_BATCHED_REQUESTS,
  }),
);
