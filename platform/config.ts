import path from 'node:path';
import { z } from 'zod';

/** The five subgraphs and their default ports (DESIGN.md runtime contract). */
export const SUBGRAPHS = {
  users: 4001,
  products: 4002,
  inventory: 4003,
  orders: 4004,
  payments: 4005,
} as const;
export type SubgraphName = keyof typeof SUBGRAPHS;
export const SUBGRAPH_NAMES = Object.keys(SUBGRAPHS) as SubgraphName[];
export const GATEWAY_DEFAULT_PORT = 4000;

export type Env = Record<string, string | undefined>;

/** Thrown when a setting is missing or malformed: one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = z.coerce.number().int().min(0).max(65535);

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** A duration with its unit (`15m`, `90s`, `1h`, `500ms`), in ms; a bare number is refused as ambiguous. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `not a duration like 15m, 90s, 1h or 500ms: ${value}` });
        return z.NEVER;
      }
      return Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS]);
    });

const common = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('.data'),
  JWT_ISSUER: z.string().default('supergraph-users'),
  JWT_AUDIENCE: z.string().default('supergraph'),
  GATEWAY_PORT: port.default(GATEWAY_DEFAULT_PORT),
  USERS_PORT: port.default(SUBGRAPHS.users),
  PRODUCTS_PORT: port.default(SUBGRAPHS.products),
  INVENTORY_PORT: port.default(SUBGRAPHS.inventory),
  ORDERS_PORT: port.default(SUBGRAPHS.orders),
  PAYMENTS_PORT: port.default(SUBGRAPHS.payments),
  /** PKCS#8 PEM of this service's signing key, or a file holding it; dev generates one under DATA_DIR. */
  SIGNING_KEY: z.string().optional(),
  SIGNING_KEY_FILE: z.string().optional(),
});

function parse<T extends z.ZodTypeAny>(schema: T, env: Env): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`invalid setting ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

export interface PeerUrls {
  /** Base URL (no path) of every service, by name: the first of its instances. */
  baseUrl: Record<SubgraphName | 'gateway', string>;
  /**
   * Every instance of every service (`PRODUCTS_URL=http://p1:4002,http://p2:4002`);
   * the gateway balances over them, other callers use the first.
   */
  instanceUrls: Record<SubgraphName | 'gateway', string[]>;
}

export interface CommonConfig extends PeerUrls {
  production: boolean;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  host: string;
  dataDir: string;
  jwt: { issuer: string; audience: string };
  signingKeyPem?: string;
  signingKeyFile?: string;
}

function commonConfig(env: Env): CommonConfig & { ports: Record<SubgraphName | 'gateway', number> } {
  const c = parse(common, env);
  const ports = {
    gateway: c.GATEWAY_PORT,
    users: c.USERS_PORT,
    products: c.PRODUCTS_PORT,
    inventory: c.INVENTORY_PORT,
    orders: c.ORDERS_PORT,
    payments: c.PAYMENTS_PORT,
  };
  const instanceUrls = Object.fromEntries(
    Object.entries(ports).map(([name, p]) => {
      // A deployment (compose, Kubernetes) names peers by DNS: USERS_URL=http://users:4001
      const variable = `${name.toUpperCase()}_URL`;
      const urls = (env[variable] ?? `http://127.0.0.1:${p}`)
        .split(',')
        .map((url) => url.trim().replace(/\/+$/, ''))
        .filter((url) => url !== '');
      for (const url of urls) {
        if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(url))
          throw new ConfigError(`invalid setting ${variable}: not an http(s) URL: ${url}`);
      }
      if (urls.length === 0) throw new ConfigError(`invalid setting ${variable}: no URL`);
      return [name, urls];
    }),
  ) as Record<SubgraphName | 'gateway', string[]>;
  const baseUrl = Object.fromEntries(Object.entries(instanceUrls).map(([name, urls]) => [name, urls[0]])) as Record<
    SubgraphName | 'gateway',
    string
  >;
  return {
    production: c.NODE_ENV === 'production',
    nodeEnv: c.NODE_ENV,
    logLevel: c.LOG_LEVEL,
    host: c.HOST,
    dataDir: path.resolve(c.DATA_DIR),
    jwt: { issuer: c.JWT_ISSUER, audience: c.JWT_AUDIENCE },
    signingKeyPem: c.SIGNING_KEY,
    signingKeyFile: c.SIGNING_KEY_FILE,
    ports,
    baseUrl,
    instanceUrls,
  };
}

export interface SubgraphConfig extends CommonConfig {
  name: SubgraphName;
  port: number;
  databaseUrl: string;
  databaseName: string;
  natsUrl: string;
  eventsPrefix: string;
  /** The ADMIN account users creates on start, when ADMIN_PASSWORD is set. */
  admin?: { email: string; password: string };
  /** Connections of the service's Postgres pool. */
  dbPoolSize: number;
  /**
   * ORDER_DEADLINE: how long the saga has to end an order before orders ends it
   * itself (REJECTED, TIMED_OUT); also how long a failing event is retried.
   */
  orderDeadlineMs: number;
  events: {
    ackWaitMs: number;
    /** Messages a consumer handles at once; those about the same order one after another. */
    consumerConcurrency: number;
    /** First redelivery delay of an event that waits for another one (RetryLaterError); it doubles. */
    retryLaterDelayMs: number;
    /** Test-only fault injection: this consumer dies after its commit, before its ack. */
    crashAfterCommit?: string;
    /** How long published outbox rows and handled-event records are kept, and how often to prune. */
    retentionMs: number;
    pruneIntervalMs: number;
    /** Limits of every stream this service creates or updates: age, size, replicas. */
    stream: { maxAgeMs: number; maxBytes: number; replicas: number };
  };
  /** placeOrder's admission control (orders only; subgraphs/orders/SagaAdmission). */
  sagaAdmission: { maxDrainSeconds: number; burst: number; sampleMs: number };
  /** The simulated payment provider's behaviour (payments only). */
  paymentProvider: { latencyMs: number; transientFailureRate: number; outageFile?: string };
}

const subgraphEnv = z.object({
  DATABASE_URL: z.string().url(),
  DB_PREFIX: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _ only')
    .default('supergraph'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  EVENTS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('supergraph'),
  ADMIN_EMAIL: z.string().email().default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  ORDER_DEADLINE: duration('15m'),
  EVENTS_ACK_WAIT_MS: z.coerce.number().int().min(100).default(30_000),
  EVENTS_CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(32),
  EVENTS_RETRY_LATER_DELAY_MS: z.coerce.number().int().min(1).max(30_000).default(100),
  EVENTS_RETENTION_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 365)
    .default(168),
  EVENTS_PRUNE_INTERVAL_MS: z.coerce.number().int().min(1_000).default(3_600_000),
  EVENTS_STREAM_MAX_AGE_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 3650)
    .default(168),
  EVENTS_STREAM_MAX_BYTES: z.coerce.number().int().min(1_048_576).default(1_073_741_824),
  EVENTS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(10),
  EVENTS_TEST_CRASH_AFTER_COMMIT: z.string().optional(),
  SAGA_MAX_DRAIN_SECONDS: z.coerce.number().min(0).max(3_600).default(60),
  SAGA_ADMISSION_BURST: z.coerce.number().int().min(1).max(1_000_000).default(500),
  SAGA_ADMISSION_SAMPLE_MS: z.coerce.number().int().min(10).max(60_000).default(100),
  PAYMENT_PROVIDER_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  PAYMENT_PROVIDER_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  PAYMENT_PROVIDER_OUTAGE_FILE: z.string().optional(),
});

export function loadSubgraphConfig(name: SubgraphName, env: Env = process.env): SubgraphConfig {
  const base = commonConfig(env);
  const s = parse(subgraphEnv, env);
  // The stream must still hold what the outbox and the inbox remember, or a replay could miss events.
  if (s.EVENTS_STREAM_MAX_AGE_HOURS < s.EVENTS_RETENTION_HOURS) {
    throw new ConfigError(
      `invalid setting EVENTS_STREAM_MAX_AGE_HOURS: ${s.EVENTS_STREAM_MAX_AGE_HOURS} is below EVENTS_RETENTION_HOURS (${s.EVENTS_RETENTION_HOURS})`,
    );
  }
  return {
    ...base,
    name,
    port: base.ports[name],
    databaseUrl: s.DATABASE_URL,
    databaseName: `${s.DB_PREFIX}_${name}`,
    natsUrl: s.NATS_URL,
    eventsPrefix: s.EVENTS_PREFIX,
    admin: s.ADMIN_PASSWORD ? { email: s.ADMIN_EMAIL.toLowerCase(), password: s.ADMIN_PASSWORD } : undefined,
    dbPoolSize: s.DB_POOL_SIZE,
    orderDeadlineMs: s.ORDER_DEADLINE,
    events: {
      ackWaitMs: s.EVENTS_ACK_WAIT_MS,
      consumerConcurrency: s.EVENTS_CONSUMER_CONCURRENCY,
      retryLaterDelayMs: s.EVENTS_RETRY_LATER_DELAY_MS,
      // Never in production, whatever the environment says.
      crashAfterCommit: base.nodeEnv === 'test' ? s.EVENTS_TEST_CRASH_AFTER_COMMIT : undefined,
      retentionMs: s.EVENTS_RETENTION_HOURS * 3_600_000,
      pruneIntervalMs: s.EVENTS_PRUNE_INTERVAL_MS,
      stream: {
        maxAgeMs: s.EVENTS_STREAM_MAX_AGE_HOURS * 3_600_000,
        maxBytes: s.EVENTS_STREAM_MAX_BYTES,
        replicas: s.EVENTS_STREAM_REPLICAS,
      },
    },
    sagaAdmission: {
      maxDrainSeconds: s.SAGA_MAX_DRAIN_SECONDS,
      burst: s.SAGA_ADMISSION_BURST,
      sampleMs: s.SAGA_ADMISSION_SAMPLE_MS,
    },
    paymentProvider: {
      latencyMs: s.PAYMENT_PROVIDER_LATENCY_MS,
      transientFailureRate: s.PAYMENT_PROVIDER_FAILURE_RATE,
      outageFile: s.PAYMENT_PROVIDER_OUTAGE_FILE,
    },
  };
}

export interface GatewayConfig extends CommonConfig {
  port: number;
  supergraphPath: string;
  /** How the gateway calls subgraphs (gateway/subgraphClient/). */
  subgraphCalls: {
    /** How long the gateway waits for one subgraph response, retry included. */
    timeoutMs: number;
    /** Which instance of a subgraph takes the next call. */
    balancing: 'least_outstanding' | 'round_robin';
    /** Keep-alive connections per instance. */
    maxConnections: number;
    /** > 0: calls in flight per instance beyond which a call is refused at once (shed) instead of queued. */
    maxInFlight: number;
    /** > 0: every instance host name is resolved to all its addresses, again at this interval. */
    dnsRefreshMs: number;
    /** Consecutive failures (unreachable, timeout, 5xx) that open an instance's breaker. */
    breakerFailures: number;
    /** How long an open breaker refuses calls before letting one through as a probe. */
    breakerHalfOpenAfterMs: number;
    /** One jittered retry, on another instance when there is one, for a query that could not connect. */
    retryConnectionErrors: boolean;
    /** Identical queries in flight for the same caller share one subgraph call. */
    deduplicate: boolean;
    /** > 0: adaptive throttling of calls a subgraph sheds, sending about this many times what it accepts. */
    throttleMultiplier: number;
  };
  /** After SIGTERM: how long /ready answers 503 while requests are still served, before the server closes. */
  shutdownDelayMs: number;
  /** Request limits, all checked before any subgraph is called (gateway/limits/). */
  limits: {
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
  };
  /** Rate limits (gateway/rateLimits/), checked before any subgraph is called. */
  rateLimits: {
    /** Operations per window, per user (per IP when anonymous). */
    points: number;
    windowSeconds: number;
    /** logIn/signUp fields per window, per IP: each aliased copy is one attempt. */
    authPoints: number;
    authWindowSeconds: number;
    /** Shared store for every gateway replica; unset = each process counts in memory. */
    redisUrl?: string;
    /** Prefix of the keys in Redis. */
    keyPrefix: string;
  };
  /** Express's `trust proxy` setting; unset = the client IP is the socket's peer address. */
  trustProxy?: boolean | number | string;
  /** Several operations in one HTTP request (a JSON array); off, so one request is one operation to limit. */
  allowBatchedRequests: boolean;
  /** Exact origins (`https://shop.example.com`) browsers may call /graphql from; empty = none. */
  corsOrigins: string[];
  /** Persisted operations (gateway/persistedOperations/). */
  persistedOperations: {
    /** Serve only the operations of the manifest (a safelist); off = any operation, with APQ. */
    only: boolean;
    /** `{ "<sha256 of the text>": "<operation text>" }`, written by `npm run codegen`. */
    manifestPath: string;
  };
}

const gatewayEnv = z.object({
  SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  SUBGRAPH_LOAD_BALANCING: z.enum(['least_outstanding', 'round_robin']).default('least_outstanding'),
  SUBGRAPH_MAX_CONNECTIONS: z.coerce.number().int().positive().default(64),
  SUBGRAPH_MAX_IN_FLIGHT: z.coerce.number().int().min(0).default(0),
  SUBGRAPH_DNS_REFRESH_MS: z.coerce.number().int().min(0).default(0),
  BREAKER_FAILURES: z.coerce.number().int().positive().default(5),
  BREAKER_HALF_OPEN_AFTER_MS: z.coerce.number().int().positive().default(5_000),
  SUBGRAPH_RETRY: z.enum(['true', 'false']).default('true'),
  SUBGRAPH_DEDUPLICATE: z.enum(['true', 'false']).default('true'),
  SUBGRAPH_THROTTLE_MULTIPLIER: z.coerce.number().min(0).default(2),
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(0),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(2_097_152), // 2 MiB
  MAX_TOKENS: z.coerce.number().int().positive().default(2_000),
  MAX_DEPTH: z.coerce.number().int().positive().default(10),
  MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  MAX_ROOT_FIELDS: z.coerce.number().int().positive().default(10),
  MAX_COST: z.coerce.number().int().positive().default(5_000),
  RATE_LIMIT_POINTS: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  AUTH_RATE_LIMIT_POINTS: z.coerce.number().int().positive().default(10),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  REDIS_URL: z.string().url().optional(),
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:-]+$/, 'letters, digits, _, : and - only')
    .default('ratelimit'),
  /** true, a hop count, or express's list of trusted addresses/subnets ("loopback, 10.0.0.0/8"). */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => {
      if (v === undefined || v === '' || v === 'false') return undefined;
      if (v === 'true') return true;
      return /^\d+$/.test(v) ? Number(v) : v;
    }),
  ALLOW_BATCHED_REQUESTS: z.enum(['true', 'false']).default('false'),
  /** Comma-separated exact origins: scheme, host and port only, as browsers send them in `Origin`. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const origins = v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== '');
      const bad = origins.find((o) => !isOrigin(o));
      if (bad === undefined) return origins;
      ctx.addIssue({ code: 'custom', message: `not an origin like https://shop.example.com: ${bad}` });
      return z.NEVER;
    }),
  PERSISTED_ONLY: z.enum(['true', 'false']).default('false'),
  PERSISTED_OPERATIONS_PATH: z.string().default('client/generated/persisted-operations.json'),
});

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const base = commonConfig(env);
  const g = parse(gatewayEnv, env);
  return {
    ...base,
    port: base.ports.gateway,
    supergraphPath: path.resolve(g.SUPERGRAPH_PATH),
    subgraphCalls: {
      timeoutMs: g.SUBGRAPH_TIMEOUT_MS,
      balancing: g.SUBGRAPH_LOAD_BALANCING,
      maxConnections: g.SUBGRAPH_MAX_CONNECTIONS,
      maxInFlight: g.SUBGRAPH_MAX_IN_FLIGHT,
      dnsRefreshMs: g.SUBGRAPH_DNS_REFRESH_MS,
      breakerFailures: g.BREAKER_FAILURES,
      breakerHalfOpenAfterMs: g.BREAKER_HALF_OPEN_AFTER_MS,
      retryConnectionErrors: g.SUBGRAPH_RETRY === 'true',
      deduplicate: g.SUBGRAPH_DEDUPLICATE === 'true',
      throttleMultiplier: g.SUBGRAPH_THROTTLE_MULTIPLIER,
    },
    shutdownDelayMs: g.SHUTDOWN_DELAY_MS,
    limits: {
      maxBodyBytes: g.MAX_BODY_BYTES,
      maxTokens: g.MAX_TOKENS,
      maxDepth: g.MAX_DEPTH,
      maxAliases: g.MAX_ALIASES,
      maxRootFields: g.MAX_ROOT_FIELDS,
      maxCost: g.MAX_COST,
    },
    rateLimits: {
      points: g.RATE_LIMIT_POINTS,
      windowSeconds: g.RATE_LIMIT_WINDOW_SECONDS,
      authPoints: g.AUTH_RATE_LIMIT_POINTS,
      authWindowSeconds: g.AUTH_RATE_LIMIT_WINDOW_SECONDS,
      redisUrl: g.REDIS_URL,
      keyPrefix: g.RATE_LIMIT_KEY_PREFIX,
    },
    trustProxy: g.TRUST_PROXY,
    allowBatchedRequests: g.ALLOW_BATCHED_REQUESTS === 'true',
    corsOrigins: g.CORS_ORIGINS,
    persistedOperations: {
      only: g.PERSISTED_ONLY === 'true',
      manifestPath: path.resolve(g.PERSISTED_OPERATIONS_PATH),
    },
  };
}

export interface TracingConfig {
  /** OTLP/HTTP base URL (the exporter posts to `${endpoint}/v1/traces`); unset = tracing off. */
  endpoint?: string;
  /** Share of new traces recorded (parent-based: a caller's decision is kept). */
  sampleRatio: number;
  /** How often the batch processor sends what it collected. */
  exportDelayMs: number;
}

const tracingEnv = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).default(5_000),
});

export function loadTracingConfig(env: Env = process.env): TracingConfig {
  const t = parse(tracingEnv, env);
  return {
    endpoint: t.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
    sampleRatio: t.OTEL_TRACES_SAMPLER_ARG,
    exportDelayMs: t.OTEL_BSP_SCHEDULE_DELAY,
  };
}
