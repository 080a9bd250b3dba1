import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateProductDocument,
  LogInDocument,
  OrderByIdDocument,
  PlaceOrderDocument,
  SignUpDocument,
} from '../../client/generated/graphql';
import { OtlpReceiver, SPAN_KIND, type ReceivedSpan } from '../support/otlpReceiver';
import { startSupergraph, type Supergraph } from '../support/supergraph';

let receiver: OtlpReceiver;
let sg: Supergraph;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  sg = await startSupergraph({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' });
}, 200_000);

afterAll(async () => {
  await sg?.stop();
  await receiver?.stop();
});

/** Spans of one trace by id, and each one's ancestors found by walking parent ids. */
function ancestorsOf(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? '')) {
    chain.push(parent);
  }
  return chain;
}

describe('distributed tracing', () => {
  it('follows one placeOrder from the gateway through orders, inventory and payments in one trace', async () => {
    const adminToken = (
      await sg.execute(LogInDocument, { email: 'admin@example.com', password: 'test-admin-password' })
    ).data!.logIn.token;
    const token = (
      await sg.execute(SignUpDocument, {
        input: { email: 'tracer@example.com', password: 'tracer password', name: 'T' },
      })
    ).data!.signUp.token;
    const sku = `TRACE-${randomUUID().slice(0, 8)}`;
    const product = (
      await sg.execute(CreateProductDocument, { input: { sku, name: sku, price: 700, initialStock: 5 } }, adminToken)
    ).data!.createProduct.id;
    const placed = await sg.execute(
      PlaceOrderDocument,
      { input: { items: [{ productId: product, quantity: 1 }], paymentMethod: { cardToken: 'tok_visa' } } },
      token,
    );
    expect(placed.errors).toBeUndefined();
    const orderId = placed.data!.placeOrder.id;
    const deadline = Date.now() + 10_000;
    while ((await sg.execute(OrderByIdDocument, { id: orderId }, token)).data!.order!.status !== 'PAID') {
      if (Date.now() > deadline) throw new Error('the order did not reach PAID');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const requestSpan = (spans: ReceivedSpan[]) =>
      spans.find((s) => s.name === 'gateway.request' && s.attributes['graphql.operation.name'] === 'PlaceOrder');
    const consumers = (spans: ReceivedSpan[], traceId: string) =>
      spans.filter((s) => s.traceId === traceId && s.kind === SPAN_KIND.CONSUMER);
    // The saga's hops, each a consumer span: service, then the event it handled.
    const HOPS = [
      ['inventory', 'orders.placed'],
      ['payments', 'inventory.reserved'],
      ['orders', 'payments.succeeded'],
    ];
    const hop = (spans: ReceivedSpan[], traceId: string, [service, type]: string[]) =>
      consumers(spans, traceId).find((s) => s.service === service && s.name.endsWith(`.${type}`));
    // Until the whole chain has arrived: spans come in export batches, a parent's possibly after its child's.
    const spans = await receiver.waitFor((all) => {
      const request = requestSpan(all);
      if (!request || !HOPS.every((h) => hop(all, request.traceId, h))) return false;
      const paid = hop(all, request.traceId, HOPS[2])!;
      const trace = all.filter((s) => s.traceId === request.traceId);
      return ancestorsOf(paid, trace).some((s) => s.service === 'payments' && s.kind === SPAN_KIND.CONSUMER);
    });
    const request = requestSpan(spans)!;
    const trace = spans.filter((s) => s.traceId === request.traceId);
    for (const service of ['gateway', 'orders', 'inventory', 'payments']) {
      expect(trace.some((s) => s.service === service)).toBe(true);
    }

    // In the gateway, the request span is above the query plan and the subgraph fetch.
    for (const name of ['gateway.plan', 'gateway.fetch']) {
      const span = trace.find((s) => s.name === name);
      expect(span && ancestorsOf(span, trace)).toContainEqual(request);
    }
    // orders continues the gateway's trace from the traceparent header it was sent.
    const ordersServer = trace.find((s) => s.service === 'orders' && s.kind === SPAN_KIND.SERVER)!;
    expect(ancestorsOf(ordersServer, trace).map((s) => s.name)).toContain('gateway.fetch');

    // Each event hop is a CONSUMER span in the trace, linked to the producer's span.
    const [reserveStock, , paid] = HOPS.map((h) => hop(spans, request.traceId, h)!);
    expect(ancestorsOf(reserveStock, trace).some((s) => s.service === 'orders')).toBe(true);
    expect(reserveStock.links).toEqual([{ traceId: request.traceId, spanId: reserveStock.parentSpanId }]);
    // Each delivery is a span of its own: one that came before orders.placed reached payments waited
    // (RetryLaterError) and the next one charged. Every one continues the reservation's trace, and
    // the charging one is above the payment's outcome in orders.
    const deliveries = consumers(spans, request.traceId).filter(
      (s) => s.service === 'payments' && s.name.endsWith('.inventory.reserved'),
    );
    for (const delivery of deliveries) expect(ancestorsOf(delivery, trace)).toContainEqual(reserveStock);
    const charge = ancestorsOf(paid, trace).find((s) => deliveries.includes(s));
    expect(charge).toBeDefined();
    // The handlers' queries are in the trace too.
    expect(trace.some((s) => s.service === 'inventory' && s.kind === SPAN_KIND.CLIENT && s.parentSpanId)).toBe(true);
  });
});

describe('a client-sent traceparent (TRACE_TRUSTED_NETWORKS)', () => {
  /** One catalog query through `gatewayUrl` with a traceparent of the client's; its spans once they arrived. */
  async function tracedQuery(gatewayUrl: string) {
    const clientTrace = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
    const operation = `TraceParent_${randomBytes(4).toString('hex')}`;
    const res = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${clientTrace.traceId}-${clientTrace.spanId}-01`,
      },
      body: JSON.stringify({ query: `query ${operation} { products(first: 1) { totalCount } }` }),
    });
    expect(res.status).toBe(200);
    const isRequest = (s: ReceivedSpan) =>
      s.name === 'gateway.request' && s.attributes['graphql.operation.name'] === operation;
    // The request span, and the products subgraph's server span in the same trace.
    const spans = await receiver.waitFor((all) => {
      const request = all.find(isRequest);
      return request !== undefined && all.some((s) => s.traceId === request.traceId && s.service === 'products');
    });
    const request = spans.find(isRequest)!;
    const trace = spans.filter((s) => s.traceId === request.traceId);
    const server = trace.find((s) => s.service === 'gateway' && s.kind === SPAN_KIND.SERVER)!;
    return { clientTrace, request, trace, server, spans };
  }

  it('starts a new trace for a request from outside the trusted networks (by default, all of them)', async () => {
    const { clientTrace, request, server, trace, spans } = await tracedQuery(sg.baseUrl.gateway);
    expect(request.traceId).not.toBe(clientTrace.traceId);
    expect(server.parentSpanId).toBeUndefined();
    // The subgraph continues the gateway's new trace; nothing joined the client's.
    expect(trace.some((s) => s.service === 'products' && s.kind === SPAN_KIND.SERVER)).toBe(true);
    expect(spans.filter((s) => s.traceId === clientTrace.traceId)).toEqual([]);
  });

  it("continues the client's trace when the connection comes from a trusted network", async () => {
    const trusting = await sg.startGateway({
      TRACE_TRUSTED_NETWORKS: 'loopback',
      // The subgraphs verify service tokens against the first gateway's JWKS: the same key.
      SIGNING_KEY_FILE: `${sg.env.DATA_DIR}/keys/gateway.pem`,
    });
    try {
      const { clientTrace, request, server, trace } = await tracedQuery(trusting.url);
      expect(request.traceId).toBe(clientTrace.traceId);
      expect(server.parentSpanId).toBe(clientTrace.spanId);
      expect(trace.some((s) => s.service === 'products' && s.kind === SPAN_KIND.SERVER)).toBe(true);
    } finally {
      await trusting.stop();
    }
  });
});
