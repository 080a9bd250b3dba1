import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { baselineTokens } from './baselineIdentity';

/**
 * The benchmark's baseline: plain @apollo/gateway in @apollo/server with
 * their default settings, on the supergraph file given (SUPERGRAPH_PATH,
 * whose subgraph URLs the bench points at its subgraphs). Only addition:
 * the service token our subgraphs require (see baselineIdentity.ts).
 */
async function main(): Promise<void> {
  const tokenFor = await baselineTokens(process.env);
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH ?? 'schema/supergraph.graphql', 'utf8'),
    buildService: ({ name, url }) =>
      new (class extends RemoteGraphQLDataSource {
        override async willSendRequest({
          request,
        }: Parameters<NonNullable<RemoteGraphQLDataSource['willSendRequest']>>[0]) {
          request.http?.headers.set('authorization', `Bearer ${await tokenFor(name)}`);
        }
      })({ url }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' },
  });
  console.log(`apollo baseline at ${url}`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
