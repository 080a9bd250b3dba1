import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import express from 'express';
import { ServiceTokenSigner } from '../platform/auth/serviceTokens';
import { loadSigningKey } from '../platform/auth/signingKey';
import { UserTokenVerifier } from '../platform/auth/userTokens';
import { loadGatewayConfig, SUBGRAPH_NAMES, type Env, type SubgraphName } from '../platform/config';
import { metricsPlugin } from '../platform/graphql/metricsPlugin';
import { requestLogPlugin } from '../platform/graphql/requestLogPlugin';
import { mountGraphQL } from '../platform/http/graphqlEndpoint';
import { listen } from '../platform/http/listen';
import { mountServiceEndpoints, READINESS_CHECK_TIMEOUT_MS } from '../platform/http/serviceEndpoints';
import { createLogger } from '../platform/logger';
import { createMetrics } from '../platform/metrics';
import type { GatewayContext } from './context';
import { createGatewayErrorFormatter } from './gatewayErrors';
import { costLimitPlugin, withLimitErrors } from './limits/limitsPlugin';
import { operationShapeRule } from './limits/operationLimits';
import { createRateLimiters } from './rateLimits/rateLimiters';
import { rateLimitPlugin } from './rateLimits/rateLimitPlugin';
import { createSubgraphFetchMetrics, MeasuredDataSource } from './MeasuredDataSource';
import { supergraphFromFile } from './supergraphFile';

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** config -> keys -> supergraph from file -> Apollo Server with user auth, probes and metrics. */
export async function startGateway(env: Env): Promise<RunningGateway> {
  const config = loadGatewayConfig(env);
  const log = createLogger('gateway', config.logLevel);
  const metrics = createMetrics('gateway');
  const key = await loadSigningKey('gateway', config);
  const signer = new ServiceTokenSigner('gateway', key);
  const users = new UserTokenVerifier(`${config.baseUrl.users}/.well-known/jwks.json`, config.jwt);
  const fetchMetrics = createSubgraphFetchMetrics(metrics.registry);
  const rateLimiters = await createRateLimiters(config.rateLimits, log);

  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.supergraphPath, log),
    // Subgraph addresses come from this deployment's settings, not from the composed file.
    buildService: ({ name }) =>
      new MeasuredDataSource(fetchMetrics, name, subgraphUrl(config.baseUrl, name), signer, config.subgraphTimeoutMs),
    logger: log,
  });
  let supergraphLoaded = false;
  gateway.onSchemaLoadOrUpdate(() => {
    supergraphLoaded = true;
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    // runMain owns the signals: it stops the HTTP server, consumers and pools in order.
    stopOnTerminationSignals: false,
    formatError: withLimitErrors(createGatewayErrorFormatter(log, !config.production)),
    // Request limits (gateway/limits/): all refuse an operation before a query plan or a subgraph call.
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: [operationShapeRule(config.limits)],
    plugins: [
      costLimitPlugin(config.limits.maxCost),
      // Rate limits (gateway/rateLimits/): also before a query plan or a subgraph call.
      rateLimitPlugin(rateLimiters, log),
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      metricsPlugin(metrics, 'gateway'),
      requestLogPlugin(log),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  mountServiceEndpoints(
    app,
    {
      supergraph: async () => {
        if (!supergraphLoaded) throw new Error('not loaded');
      },
      ...Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [
          name,
          async () => {
            // Liveness, not readiness: one subgraph's database outage should not take the whole gateway out.
            const res = await fetch(`${config.baseUrl[name]}/health`, {
              signal: AbortSignal.timeout(READINESS_CHECK_TIMEOUT_MS),
            });
            if (!res.ok) throw new Error(`health ${res.status}`);
          },
        ]),
      ),
    },
    metrics.registry,
    log,
    key,
  );
  mountGraphQL(app, apollo, {
    log,
    maxBodyBytes: config.limits.maxBodyBytes,
    authenticate: async (token) => (token === undefined ? undefined : users.verify(token)),
    userIdOf: (user) => user?.id,
    // The client's x-request-id when well-formed, else a new one; AuthenticatedDataSource passes it on.
    // req.ip is the socket's peer unless 'trust proxy' is set, then it comes from X-Forwarded-For.
    context: (user, requestId, req) => ({ user, requestId, ip: req.ip ?? 'unknown' }),
  });

  const server = await listen(app, config.host, config.port);
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${server.port}/graphql`;
  log.info({ url }, 'gateway ready');
  return {
    url,
    port: server.port,
    async stop() {
      await server.close();
      await apollo.stop();
      await rateLimiters.close();
      log.info('stopped');
    },
  };
}

function subgraphUrl(baseUrl: Record<string, string>, name: string): string {
  const base = baseUrl[name as SubgraphName];
  if (!base) throw new Error(`The supergraph names a subgraph this gateway does not know: ${name}`);
  return `${base}/graphql`;
}
