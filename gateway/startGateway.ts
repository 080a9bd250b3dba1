import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import express from 'express';
import proxyAddr from 'proxy-addr';
import { ServiceTokenSigner } from '../platform/auth/serviceTokens';
import { loadSigningKey } from '../platform/auth/signingKey';
import { UserTokenVerifier } from '../platform/auth/userTokens';
import type { UserIdentity } from '../platform/auth/identity';
import type { Env } from '../platform/config';
import { EventBus } from '../platform/events/EventBus';
import { metricsPlugin } from '../platform/graphql/metricsPlugin';
import { withoutSuggestions } from '../platform/graphql/withoutSuggestions';
import { requestLogPlugin } from '../platform/graphql/requestLogPlugin';
import { mountGraphQL } from '../platform/http/graphqlEndpoint';
import { serveInternalEndpoints } from '../platform/http/internalEndpoints';
import { listen } from '../platform/http/listen';
import { mountServiceEndpoints } from '../platform/http/serviceEndpoints';
import { createLogger } from '../platform/logger';
import { keepTraceContextOnlyFrom } from '../platform/tracing/trustedTraceContext';
import { createMetrics } from '../platform/metrics';
import type { GatewayContext } from './context';
import { loadGatewayConfig } from './gatewayConfig';
import { createGatewayErrorFormatter } from './gatewayErrors';
import { allowedOrigins } from './http/allowedOrigins';
import { concurrencyCap } from './http/concurrencyCap';
import { corsPolicy } from './http/corsPolicy';
import { costLimitPlugin, withLimitErrors } from './limits/limitsPlugin';
import { stringLengthPlugin } from './limits/stringLengths';
import { operationShapeRule } from './limits/operationLimits';
import { persistedOperations } from './persistedOperations/persistedOperations';
import { createRateLimiters } from './rateLimits/rateLimiters';
import { ChangeFeed } from './subscriptions/ChangeFeed';
import { sseTransport } from './subscriptions/sseTransport';
import { SubscriberAuth } from './subscriptions/subscriberAuth';
import { FOLLOWED_CHANGES } from './subscriptions/subscriptionFields';
import { createSubscriptionMetrics } from './subscriptions/subscriptionMetrics';
import { SubscriptionService } from './subscriptions/SubscriptionService';
import { subscriptionsOverHttpRefused } from './subscriptions/subscriptionsOverHttpRefused';
import { serveWebSockets } from './subscriptions/webSocketTransport';
import { OperationBudget } from './rateLimits/OperationBudget';
import { rateLimitPlugin } from './rateLimits/rateLimitPlugin';
import { startSubgraphCalls } from './subgraphClient/subgraphCalls';
import { supergraphFromFile } from './supergraphFile';

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** config -> keys -> supergraph from file -> Apollo Server with user auth, probes and metrics. */
export async function startGateway(env: Env): Promise<RunningGateway> {
  const config = loadGatewayConfig(env);
  // First, before anything opens: with PERSISTED_ONLY, a missing or bad manifest stops the start.
  const persisted = await persistedOperations(config.persistedOperations);
  const log = createLogger('gateway', config.logLevel);
  const metrics = createMetrics('gateway');
  const key = await loadSigningKey('gateway', config);
  const signer = new ServiceTokenSigner('gateway', key);
  // users' METRICS_PORT when it has one (USERS_INTERNAL_URL): its JWKS is not on its public port then.
  const users = new UserTokenVerifier(`${config.internalUrl.users}/.well-known/jwks.json`, config.jwt);
  // Per subgraph: instances, keep-alive pools, breakers, deadline and retry (gateway/subgraphClient/).
  const subgraphCalls = await startSubgraphCalls(config, signer, metrics.registry, log);
  // The changes subscriptions deliver, followed on NATS from now on (gateway/subscriptions/).
  const bus = new EventBus({
    url: config.natsUrl,
    prefix: config.eventsPrefix,
    name: 'gateway',
    log,
    auth: config.natsAuth,
    tls: config.natsTls,
  });
  const feed = new ChangeFeed(bus, FOLLOWED_CHANGES, log);
  feed.start();
  const rateLimiters = await createRateLimiters(config.rateLimits, log, metrics.registry);
  const budget = new OperationBudget(rateLimiters, config.rateLimits, metrics.registry);

  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.supergraphPath, log),
    // Subgraph addresses come from this deployment's settings, not from the composed file.
    buildService: ({ name }) => subgraphCalls.dataSource(name),
    logger: log,
  });
  let supergraphLoaded = false;
  gateway.onSchemaLoadOrUpdate(() => {
    supergraphLoaded = true;
  });

  // No "Did you mean ...?" in production, for bad variable values and subscriptions too (platform/graphql/).
  const formatError = withoutSuggestions(
    withLimitErrors(createGatewayErrorFormatter(log, !config.production)),
    config.production,
  );
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    // runMain owns the signals: it stops the HTTP server, consumers and pools in order.
    stopOnTerminationSignals: false,
    // One operation per HTTP request unless ALLOW_BATCHED_REQUESTS: every limit then counts each one.
    allowBatchedHttpRequests: config.allowBatchedRequests,
    // Apollo's default, made explicit: a GET or a form/text POST must carry a header that forces
    // a CORS preflight, so another site cannot make a browser run an operation (gateway/http/).
    csrfPrevention: true,
    // No "Did you mean ...?" in production: the suggestions would spell out the schema introspection hides.
    hideSchemaDetailsFromClientErrors: config.production,
    // APQ, or with PERSISTED_ONLY the manifest's operations only (gateway/persistedOperations/).
    persistedQueries: persisted.persistedQueries,
    formatError,
    // Request limits (gateway/limits/): all refuse an operation before a query plan or a subgraph call.
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: [operationShapeRule(config.limits)],
    plugins: [
      // First: an operation off the safelist is refused as such, whatever else is wrong with it.
      ...persisted.plugins,
      subscriptionsOverHttpRefused(),
      costLimitPlugin(config.limits),
      stringLengthPlugin(config.limits.maxStringLength),
      // Rate limits (gateway/rateLimits/): also before a query plan or a subgraph call.
      rateLimitPlugin(budget),
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      metricsPlugin(metrics, 'gateway'),
      requestLogPlugin(log),
    ],
  });
  await apollo.start();
  const subscriptions = new SubscriptionService(
    gateway,
    feed,
    budget,
    config,
    createSubscriptionMetrics(metrics.registry),
    formatError,
    log,
    persisted.safelist,
  );
  const subscriberAuth = new SubscriberAuth(users);
  const isAllowedOrigin = allowedOrigins(config.corsOrigins, { localhost: config.nodeEnv === 'development' });

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // Ready once the supergraph is loaded. Subgraph health is deliberately not part of it: a
  // gateway that went unready with one subgraph would turn partial data into a full outage.
  // Each subgraph's state shows in subgraph_circuit_state instead.
  const endpoints = mountServiceEndpoints(
    app,
    {
      supergraph: async () => {
        if (!supergraphLoaded) throw new Error('not loaded');
      },
    },
    log,
  );
  // On METRICS_PORT when set: then the public port serves only /graphql, /health and /ready.
  const internal = await serveInternalEndpoints(app, config, metrics.registry, key, log);
  mountGraphQL(app, apollo, {
    log,
    maxBodyBytes: config.limits.maxBodyBytes,
    // Browsers on CORS_ORIGINS only (none by default).
    cors: corsPolicy(isAllowedOrigin),
    // GATEWAY_MAX_CONCURRENT_REQUESTS: beyond it 503 before the body is read (subscriptions excluded).
    admit: concurrencyCap(config.maxConcurrentRequests, metrics.registry, log),
    // Subscriptions over SSE: requests that accept text/event-stream, after authentication.
    streams: sseTransport({
      service: subscriptions,
      auth: subscriberAuth,
      formatError,
      userOf: (res) => res.locals.identity as UserIdentity | undefined,
    }),
    authenticate: async (token) => (token === undefined ? undefined : users.verify(token)),
    userIdOf: (user) => user?.id,
    // The client's x-request-id when well-formed, else a new one; SubgraphDataSource passes it on.
    // req.ip is the socket's peer unless 'trust proxy' is set, then it comes from X-Forwarded-For.
    context: (user, requestId, req) => ({ user, requestId, ip: req.ip ?? 'unknown' }),
  });

  // A client's traceparent only from TRACE_TRUSTED_NETWORKS (the socket's peer); from others a new trace.
  const server = await listen(app, config.host, config.port, (http) =>
    keepTraceContextOnlyFrom(http, config.traceTrustedNetworks),
  );
  const webSockets = serveWebSockets(server.server, {
    path: '/graphql',
    service: subscriptions,
    auth: subscriberAuth,
    isAllowedOrigin,
    formatError,
    keepAliveMs: config.subscriptions.keepAliveMs,
    maxPayloadBytes: config.limits.maxBodyBytes,
    // As express's req.ip: the socket's peer, or the client a trusted proxy names (TRUST_PROXY).
    ipOf: (request) => proxyAddr(request, app.get('trust proxy fn') as (addr: string, i: number) => boolean),
    log,
  });
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${server.port}/graphql`;
  log.info({ url }, 'gateway ready');
  return {
    url,
    port: server.port,
    async stop() {
      // Readiness goes false first; requests keep being served while load balancers notice,
      // then the server stops accepting and waits for the ones in flight.
      endpoints.drain();
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
      // Subscriptions end cleanly (SSE streams complete, WebSockets close 1001) before the server
      // waits for its open requests: a stream would otherwise hold the close for ever.
      subscriptions.closeAll();
      await webSockets.close();
      await server.close();
      await internal.close();
      await apollo.stop();
      await subgraphCalls.close();
      await rateLimiters.close();
      await feed.stop();
      await bus.close();
      log.info('stopped');
    },
  };
}
