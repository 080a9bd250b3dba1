import { randomBytes } from 'node:crypto';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';
import { parsePrometheusText, sampleSum, type Sample } from '../support/prometheusText';
import { startSupergraph, type Supergraph } from '../support/supergraph';

let sg: Supergraph;

beforeAll(async () => {
  // info: the log lines of failed client requests are at info.
  sg = await startSupergraph({ LOG_LEVEL: 'info' });
}, 200_000);

afterAll(async () => {
  await sg?.stop();
});

const SERVICES = ['gateway', ...SUBGRAPH_NAMES] as const;
const LOG_IN =
  'mutation LogIn($email: String!, $password: String!) { logIn(email: $email, password: $password) { token } }';

async function post(body: object, headers: Record<string, string> = {}) {
  const response = await fetch(sg.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as any,
  };
}

/** The JSON log lines of a service that mention this request id, once at least one appears. */
/** A service's log lines with the request id, once one has the message `waitFor` (any line, without it). */
async function linesOf(
  service: SubgraphName | 'gateway',
  requestId: string,
  waitFor?: string,
): Promise<Record<string, any>[]> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const found = sg
      .output(service)
      .filter((line) => line.includes(requestId))
      .map((line) => JSON.parse(line) as Record<string, any>);
    // A service may log other lines of the request first (the outcome comes last).
    const complete = waitFor ? found.some((line) => line.msg === waitFor) : found.length > 0;
    if (complete || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function metricsOf(service: SubgraphName | 'gateway'): Promise<Sample[]> {
  const response = await fetch(`${sg.baseUrl[service]}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe('logs', () => {
  it('logs a failed request with its request id at the gateway and the subgraph, never the password', async () => {
    const requestId = `obs-${randomBytes(6).toString('hex')}`;
    const password = `wrong-${randomBytes(6).toString('hex')}`;
    const res = await post(
      { query: LOG_IN, operationName: 'LogIn', variables: { email: 'admin@example.com', password } },
      { 'x-request-id': requestId },
    );
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.requestId).toBe(requestId);

    const gateway = await linesOf('gateway', requestId, 'request failed');
    const failed = gateway.find((line) => line.msg === 'request failed');
    expect(failed).toMatchObject({
      requestId,
      service: 'gateway',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      operation: 'LogIn',
      errors: [expect.objectContaining({ code: 'UNAUTHENTICATED' })],
    });
    expect(typeof failed!.level).toBe('number');
    // With tracing on, the line names its trace; without an active span the fields are left out.
    if ('traceId' in failed!) expect(failed!.traceId).toMatch(/^[0-9a-f]{32}$/);
    else expect(failed).not.toHaveProperty('spanId');
    // The gateway passed the id on: the subgraph's line carries the same one.
    const users = await linesOf('users', requestId, 'request failed');
    expect(users.find((line) => line.msg === 'request failed')).toMatchObject({ requestId, service: 'users' });

    for (const service of SERVICES) expect(sg.output(service).join('\n')).not.toContain(password);
  });

  it('logs a refused token with the request id and without the token', async () => {
    const requestId = `obs-${randomBytes(6).toString('hex')}`;
    const token = `eyJhbGciOiJFUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    const res = await post({ query: '{ me { id } }' }, { 'x-request-id': requestId, authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.requestId).toBe(requestId);
    const [refused] = await linesOf('gateway', requestId);
    expect(refused).toMatchObject({ requestId, msg: 'request refused', code: 'UNAUTHENTICATED' });
    for (const service of SERVICES) expect(sg.output(service).join('\n')).not.toContain(token);
  });

  it('creates a request id when the client sends none or a malformed one', async () => {
    const none = await post({ query: '{ __typename }' });
    expect(none.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const malformed = await post({ query: '{ __typename }' }, { 'x-request-id': 'not ok; <script>' });
    expect(malformed.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('metrics', () => {
  it('serves Prometheus text on every service, with the pool and query metrics on the subgraphs', async () => {
    for (const service of SERVICES) {
      const samples = await metricsOf(service);
      expect(sampleSum(samples, 'process_start_time_seconds')).toBeGreaterThan(0);
      if (service === 'gateway') continue;
      expect(samples.some((s) => s.name === 'db_pool_connections' && s.labels.state === 'idle')).toBe(true);
      expect(sampleSum(samples, 'db_pool_waiting_requests')).toBe(0);
      expect(sampleSum(samples, 'db_query_duration_seconds_count')).toBeGreaterThan(0);
    }
    const orders = await metricsOf('orders');
    expect(orders.some((s) => s.name === 'outbox_oldest_pending_age_seconds')).toBe(true);
    expect(orders.some((s) => s.name === 'events_consumer_info_up')).toBe(true);
  });

  it('counts a request after it happens, by operation name, at the gateway and in the subgraph it reached', async () => {
    const operation = `ObsCatalog_${randomBytes(4).toString('hex')}`;
    const before = await metricsOf('gateway');
    expect(sampleSum(before, 'graphql_requests_total', { operation })).toBe(0);
    const res = await post({ query: `query ${operation} { products(first: 1) { edges { node { id } } } }` });
    expect(res.body.errors).toBeUndefined();

    const gateway = await metricsOf('gateway');
    expect(sampleSum(gateway, 'graphql_requests_total', { operation, outcome: 'ok' })).toBe(1);
    expect(sampleSum(gateway, 'graphql_request_duration_seconds_count', { operation, outcome: 'ok' })).toBe(1);
    expect(
      sampleSum(gateway, 'subgraph_fetch_duration_seconds_count', { subgraph: 'products', outcome: 'ok' }),
    ).toBeGreaterThan(sampleSum(before, 'subgraph_fetch_duration_seconds_count', { subgraph: 'products' }));
    // The gateway names its subgraph operations after the client's: `${operation}__products__0`.
    const products = await metricsOf('products');
    expect(products.some((s) => s.name === 'graphql_requests_total' && s.labels.operation.startsWith(operation))).toBe(
      true,
    );
  });

  it('labels an unnamed operation "anonymous" and an overlong name "other"', async () => {
    await post({ query: '{ __typename }' });
    const long = `Q${'x'.repeat(70)}`;
    await post({ query: `query ${long} { __typename }` });
    const gateway = await metricsOf('gateway');
    expect(sampleSum(gateway, 'graphql_requests_total', { operation: 'anonymous' })).toBeGreaterThan(0);
    expect(sampleSum(gateway, 'graphql_requests_total', { operation: 'other' })).toBeGreaterThan(0);
    expect(gateway.some((s) => s.labels.operation === long)).toBe(false);
  });
});

describe('probes', () => {
  it('reports the gateway ready once its supergraph is loaded', async () => {
    const response = await fetch(`${sg.baseUrl.gateway}/ready`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks)).toEqual(['supergraph']);
    expect(body.checks.supergraph.status).toBe('ok');
    expect((await fetch(`${sg.baseUrl.gateway}/health`)).status).toBe(200);
  });
});
