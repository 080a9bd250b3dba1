import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { LogInDocument } from '../../client/generated/graphql';
import { databaseUrl } from '../../platform/db/database';
import { startBenchSubgraphs, type BenchSubgraphs } from './benchServices';
import { BENCH_PASSWORD, seedBenchData, type BenchData } from './seedBenchData';

/**
 * Our gateway as shipped, except that the per-user budget (600 operations a
 * minute) is raised: the load generator is one user sending thousands of
 * requests a second. The limiter still runs on every request.
 */
export const OURS_ENV = { RATE_LIMIT_POINTS: '1000000000', AUTH_RATE_LIMIT_POINTS: '1000000' };

/** The bench's subgraphs, seeded, with where the bench reaches them. */
export interface BenchSession {
  subgraphs: BenchSubgraphs;
  seeded: BenchData;
  graphqlUrl: string;
  ordersDatabaseUrl: string;
  stop(): Promise<void>;
}

/** Starts the five subgraphs (with `subgraphEnv` added to their settings) and seeds their databases. */
export async function startBenchSession(
  log: (message: string) => void,
  subgraphEnv: NodeJS.ProcessEnv = {},
): Promise<BenchSession> {
  const subgraphs = await startBenchSubgraphs(subgraphEnv);
  try {
    const seeded = await seedBenchData({ serverUrl: subgraphs.env.DATABASE_URL!, dbPrefix: subgraphs.env.DB_PREFIX! });
    log(`seeded ${seeded.productIds.length} products, ${seeded.users} users, ${seeded.orders} orders`);
    return {
      subgraphs,
      seeded,
      graphqlUrl: `http://127.0.0.1:${subgraphs.gatewayPort}/graphql`,
      ordersDatabaseUrl: databaseUrl(subgraphs.env.DATABASE_URL!, `${subgraphs.env.DB_PREFIX}_orders`),
      stop: () => subgraphs.stop(),
    };
  } catch (error) {
    await subgraphs.stop();
    throw error;
  }
}

/**
 * Tokens of the first `count` seeded users (bench-user-1, -2, ...), through
 * a running gateway, a few log-ins at a time (each costs the users service a
 * password hash).
 */
export async function logInUsers(session: BenchSession, count: number): Promise<string[]> {
  if (count > session.seeded.users) throw new Error(`only ${session.seeded.users} bench users to log in`);
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 4) {
    const batch = Array.from({ length: Math.min(4, count - i) }, (_, k) =>
      logIn(session.graphqlUrl, i + k === 0 ? session.seeded.user.email : `bench-user-${i + k + 1}@example.com`),
    );
    tokens.push(...(await Promise.all(batch)));
  }
  return tokens;
}

export function body<T, V>(document: TypedDocumentNode<T, V>, variables: V): string {
  return JSON.stringify({ query: print(document), variables });
}

async function logIn(graphqlUrl: string, email: string): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body(LogInDocument, { email, password: BENCH_PASSWORD }),
  });
  const result = (await response.json()) as { data?: { logIn: { token: string } }; errors?: unknown };
  if (!result.data) throw new Error(`logIn ${email} failed: ${JSON.stringify(result.errors)}`);
  return result.data.logIn.token;
}
