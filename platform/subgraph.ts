import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import express from 'express';
import type { DataSource } from 'typeorm';
import { ServiceTokenSigner, ServiceTokenVerifier, type TrustedCaller } from './auth/serviceTokens';
import { loadSigningKey, type SigningKey } from './auth/signingKey';
import { loadSubgraphConfig, type Env, type SubgraphConfig, type SubgraphName } from './config';
import { openSubgraphDatabase, type DatabaseOptions } from './db/database';
import type { BaseContext } from './graphql/context';
import { buildFederatedSchema, type FederatedSchemaSpec } from './graphql/federatedSchema';
import { createErrorFormatter } from './graphql/formatError';
import { withoutSuggestions } from './graphql/withoutSuggestions';
import { metricsPlugin } from './graphql/metricsPlugin';
import { requestLogPlugin } from './graphql/requestLogPlugin';
import { mountGraphQL } from './http/graphqlEndpoint';
import { serveInternalEndpoints } from './http/internalEndpoints';
import { listen } from './http/listen';
import { mountServiceEndpoints } from './http/serviceEndpoints';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import type { SettingsGroup } from './settings/settingsGroup';
import type { ConsumerSpec } from './events/EventConsumer';
import { ServiceEvents } from './events/ServiceEvents';

/** What a subgraph's process-wide services are built from. */
export interface SubgraphRuntime<Own = unknown> {
  config: SubgraphConfig;
  /** The subgraph's own settings (SubgraphDefinition.settings), read at start like the rest. */
  settings: Own;
  dataSource: DataSource;
  log: Logger;
  metrics: Metrics;
  /** This service's key pair: it signs tokens and is published as the service's JWKS. */
  signingKey: SigningKey;
  /** Signs this service's tokens when it calls another service directly. */
  signer: ServiceTokenSigner;
  /** The service's NATS connection, relay and consumers, when it takes part in events. */
  events?: ServiceEvents;
}

export interface SubgraphDefinition<Deps, Ctx extends BaseContext, Own = undefined> {
  name: SubgraphName;
  /** Settings only this subgraph reads, declared next to the code that uses them. */
  settings?: SettingsGroup<Own>;
  schema: FederatedSchemaSpec;
  entities: DatabaseOptions['entities'];
  migrations: DatabaseOptions['migrations'];
  /** Services other than the gateway that may call this one, with the scopes each may hold. */
  callers?: Partial<Record<SubgraphName, string[]>>;
  createDeps(runtime: SubgraphRuntime<Own>): Deps;
  /** Work before the service takes requests (seeding, consumers); awaited before listening. */
  onStart?(deps: Deps, runtime: SubgraphRuntime<Own>): Promise<void>;
  /** Undoes onStart's background work; called once requests have stopped, before consumers stop. */
  onStop?(deps: Deps): Promise<void> | void;
  /** Per request: the subgraph's loaders and services on top of the base context. */
  createContext(deps: Deps, base: BaseContext): Ctx;
  /** Whether it publishes events (its outbox) and which it consumes. */
  events?: {
    publishes: boolean;
    consumers?(deps: Deps): ConsumerSpec[];
  };
}

export interface RunningSubgraph<Deps, Own = unknown> {
  url: string;
  port: number;
  deps: Deps;
  runtime: SubgraphRuntime<Own>;
  stop(): Promise<void>;
}

/** config -> database (created, migrated) -> schema -> HTTP server with auth, probes and metrics. */
export async function startSubgraph<Deps, Ctx extends BaseContext, Own>(
  definition: SubgraphDefinition<Deps, Ctx, Own>,
  env: Env,
): Promise<RunningSubgraph<Deps, Own>> {
  const config = loadSubgraphConfig(definition.name, env);
  const settings = definition.settings ? definition.settings.read(env) : (undefined as Own);
  const log = createLogger(definition.name, config.logLevel);
  const metrics = createMetrics(definition.name);
  const key = await loadSigningKey(definition.name, config);
  const dataSource = await openSubgraphDatabase(config, definition, log, metrics);
  const runtime: SubgraphRuntime<Own> = {
    config,
    settings,
    dataSource,
    log,
    metrics,
    signingKey: key,
    signer: new ServiceTokenSigner(definition.name, key),
  };
  if (definition.events) {
    runtime.events = new ServiceEvents({ publishes: definition.events.publishes }, config, dataSource, log, metrics);
  }
  const deps = definition.createDeps(runtime);
  if (runtime.events && definition.events?.consumers) runtime.events.addConsumers(definition.events.consumers(deps));
  await definition.onStart?.(deps, runtime);
  await runtime.events?.start();
  const verifier = new ServiceTokenVerifier(definition.name, trustedCallers(config, definition.callers ?? {}));

  const apollo = new ApolloServer<Ctx>({
    schema: await buildFederatedSchema(definition.schema),
    // Only the gateway talks to a subgraph; the gateway decides about introspection.
    introspection: true,
    includeStacktraceInErrorResponses: !config.production,
    // runMain owns the signals: it stops the HTTP server, consumers and pools in order.
    stopOnTerminationSignals: false,
    // No "Did you mean ...?" in production either, should an error reach a client from here.
    formatError: withoutSuggestions(createErrorFormatter(log, !config.production), config.production),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No Apollo usage reporting here, so federated traces would be computed for nobody.
      ApolloServerPluginInlineTraceDisabled(),
      metricsPlugin(metrics, definition.name),
      requestLogPlugin(log),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  const endpoints = mountServiceEndpoints(
    app,
    {
      database: async () => {
        await dataSource.query('SELECT 1');
      },
      migrations: async () => {
        if (await dataSource.showMigrations()) throw new Error('pending migrations');
      },
      // Reported, not gating: while NATS is away the outbox holds new events and every read goes on,
      // so an unready subgraph would only take the catalog and placeOrder offline for nothing.
      ...(runtime.events
        ? {
            nats: {
              gates: false,
              check: async () => {
                if (!runtime.events?.connected) throw new Error('not connected to NATS');
              },
            },
          }
        : {}),
    },
    log,
  );
  const internal = await serveInternalEndpoints(app, config, metrics.registry, key, log);
  mountGraphQL(app, apollo, {
    log,
    authenticate: (token) => verifier.verify(token),
    userIdOf: (caller) => caller.user?.id,
    // The request id and user id reach every line through the request's log scope.
    context: (caller, requestId) =>
      definition.createContext(deps, {
        caller,
        user: caller.user,
        requestId,
        log: log.child({ caller: caller.service }),
      }),
  });

  const server = await listen(app, config.host, config.port);
  const url = `http://${config.host}:${server.port}/graphql`;
  log.info({ url }, `${definition.name} subgraph ready`);

  return {
    url,
    port: server.port,
    deps,
    runtime,
    async stop() {
      endpoints.drain();
      await server.close();
      await internal.close();
      await apollo.stop();
      await definition.onStop?.(deps);
      await runtime.events?.stop();
      await dataSource.destroy();
      log.info('stopped');
    },
  };
}

function trustedCallers(
  config: SubgraphConfig,
  callers: Partial<Record<SubgraphName, string[]>>,
): Record<string, TrustedCaller> {
  const trusted: Record<string, TrustedCaller> = {
    // internalUrl: the callers' METRICS_PORT, where their JWKS is when they have one.
    gateway: {
      jwksUrl: `${config.internalUrl.gateway}/.well-known/jwks.json`,
      allowedScopes: ['*'],
      mayActForUsers: true,
    },
  };
  for (const [name, scopes] of Object.entries(callers)) {
    trusted[name] = {
      jwksUrl: `${config.internalUrl[name as SubgraphName]}/.well-known/jwks.json`,
      allowedScopes: scopes ?? [],
      mayActForUsers: false,
    };
  }
  return trusted;
}
