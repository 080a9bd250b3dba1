import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse, printSchema } from 'graphql';
import { SUBGRAPH_NAMES, SUBGRAPHS } from '../platform/config';
import { buildFederatedSchema } from '../platform/graphql/federatedSchema';
import { subgraphDefinitions } from './subgraphDefinitions';

export interface ComposedSupergraph {
  /** schema/<name>.graphql: each subgraph's SDL as the gateway would fetch it. */
  subgraphs: { name: string; sdl: string }[];
  /** schema/supergraph.graphql: what the gateway serves. */
  supergraphSdl: string;
  /** schema/api.graphql: the schema clients see (codegen reads it). */
  apiSdl: string;
}

/** Builds every subgraph's schema in-process and composes them; composition errors throw. */
export async function composeSupergraph(): Promise<ComposedSupergraph> {
  const subgraphs = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => ({
      name,
      sdl: printSubgraphSchema(await buildFederatedSchema(subgraphDefinitions[name].schema)),
    })),
  );
  const result = composeServices(
    subgraphs.map(({ name, sdl }) => ({
      name,
      typeDefs: parse(sdl),
      // Placeholder: the gateway routes by its own settings (USERS_URL, ... or ports).
      url: `http://127.0.0.1:${SUBGRAPHS[name]}/graphql`,
    })),
  );
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return {
    subgraphs,
    supergraphSdl: result.supergraphSdl,
    apiSdl: printSchema(result.schema.toAPISchema().toGraphQLJSSchema()),
  };
}
