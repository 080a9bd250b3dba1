import { rm } from 'node:fs/promises';
import express from 'express';
import { ServiceTokenSigner } from '../../platform/auth/serviceTokens';
import type { UserIdentity } from '../../platform/auth/identity';
import { jwks, loadSigningKey } from '../../platform/auth/signingKey';
import { loadSubgraphConfig, type Env } from '../../platform/config';
import { dropSubgraphs, provisionSubgraphs } from '../../platform/db/subgraphRoles';
import type { BaseContext } from '../../platform/graphql/context';
import { listen, type Listening } from '../../platform/http/listen';
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from '../../platform/subgraph';
import { deleteEventNamespace } from './eventProbe';
import { freePort } from './freePort';
import { TEST_DATABASE_URL, TEST_NATS_URL, TEST_STREAM_MAX_BYTES, testNamespace } from './testEnv';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface RequestOptions {
  /** Act for this user (the gateway's token carries it). */
  user?: UserIdentity;
  /** Send exactly this Authorization header instead of a gateway token ('' = none). */
  authorization?: string;
}

type AnyDefinition = SubgraphDefinition<any, BaseContext, any>;

export interface SubgraphHarness {
  env: Env;
  services: Record<string, RunningSubgraph<unknown>>;
  /** Signs tokens as the gateway would; its JWKS is served on the gateway's URL. */
  gatewaySigner: ServiceTokenSigner;
  request<T = Record<string, unknown>>(
    service: string,
    query: string,
    variables?: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<T>>;
  /** SQL statements a subgraph ran for requests so far (background work not counted). */
  requestQueries(service: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts subgraphs in this process the way production does (startSubgraph),
 * on free ports, in their own databases, behind a stand-in gateway that only
 * publishes its keys: tests call a subgraph exactly as the gateway would.
 */
export async function startSubgraphs(definitions: AnyDefinition[], extraEnv: Env = {}): Promise<SubgraphHarness> {
  const { prefix, dataDir } = testNamespace();
  const gatewayPort = await freePort();
  const env: Env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    NATS_URL: TEST_NATS_URL,
    DB_PREFIX: prefix,
    EVENTS_PREFIX: prefix,
    // Each stream reserves its max_bytes of the NATS server's store: test namespaces stay small.
    EVENTS_STREAM_MAX_BYTES: TEST_STREAM_MAX_BYTES,
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(gatewayPort),
    ...extraEnv,
  };
  for (const definition of definitions) env[`${definition.name.toUpperCase()}_PORT`] = String(await freePort());

  const gatewayKey = await loadSigningKey('gateway', loadSubgraphConfig('users', env));
  const gatewaySigner = new ServiceTokenSigner('gateway', gatewayKey);
  const keyServerApp = express();
  keyServerApp.get('/.well-known/jwks.json', (_req, res) => {
    res.json(jwks(gatewayKey));
  });
  const keyServer: Listening = await listen(keyServerApp, '127.0.0.1', gatewayPort);

  // As in production, each subgraph connects as its own role, owner of its database only; env keeps
  // the admin's URL (the server's) for tests that look into the databases.
  const names = definitions.map((d) => d.name);
  const removeDatabases = () => dropSubgraphs(TEST_DATABASE_URL, prefix, names);
  const services: Record<string, RunningSubgraph<unknown>> = {};
  try {
    const databaseUrls = await provisionSubgraphs(TEST_DATABASE_URL, prefix, names, env.DATABASE_URL);
    for (const definition of definitions) {
      services[definition.name] = await startSubgraph(definition, {
        ...env,
        DATABASE_URL: databaseUrls[definition.name],
      });
    }
  } catch (error) {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await keyServer.close();
    await removeDatabases();
    throw error;
  }

  return {
    env,
    services,
    gatewaySigner,
    async request(service, query, variables, options = {}) {
      const authorization =
        options.authorization ??
        `Bearer ${await gatewaySigner.sign({ audience: service, scopes: ['*'], user: options.user })}`;
      const response = await fetch(services[service].url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    async requestQueries(service) {
      const { values } = await services[service].runtime.metrics.dbQueries.get();
      return values.find((v) => v.labels.origin === 'request')?.value ?? 0;
    },
    async stop() {
      await Promise.all(Object.values(services).map((s) => s.stop()));
      await keyServer.close();
      await removeDatabases();
      await rm(dataDir, { recursive: true, force: true });
      // A test that ran its own NATS may have removed it already; its streams went with it.
      await deleteEventNamespace(prefix, env.NATS_URL ?? TEST_NATS_URL).catch(() => undefined);
    },
  };
}
