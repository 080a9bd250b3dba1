import 'reflect-metadata';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { type GraphQLSchema, parse } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { servedByGateway } from './servedByGateway';

// v2.9 for @listSize (demand control): a subgraph declares how long its lists get, and the gateway's cost counts it.
const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@listSize"])\n';

export interface FederatedSchemaSpec {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  /** `__resolveReference` per entity type this subgraph can resolve. */
  referenceResolvers?: GraphQLResolverMap<unknown>;
}

/**
 * type-graphql classes -> SDL with directives -> an Apollo Federation 2
 * subgraph schema (`_service`, `_entities`). The array form of
 * buildSubgraphSchema is required by @apollo/subgraph 2.15.
 */
export async function buildFederatedSchema(spec: FederatedSchemaSpec): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: spec.resolvers,
    orphanedTypes: spec.orphanedTypes,
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    validate: { forbidUnknownValues: false },
    // A subgraph may have no root Query of its own; federation adds one.
    skipCheck: true,
    // type-graphql 2.0 rc demands a PubSub once any @Subscription exists, even one with its own
    // `subscribe`. None is ever used: a subgraph only declares its subscriptions, the gateway serves them.
    pubSub: { publish: servedByGateway, subscribe: servedByGateway },
  });
  const typeDefs = parse(FEDERATION_LINK + printSchemaWithDirectives(schema));
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, fields] of Object.entries(spec.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...(fields as object) } as never;
  }
  return buildSubgraphSchema([{ typeDefs, resolvers }]);
}
