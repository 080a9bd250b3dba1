import { randomUUID } from 'node:crypto';
import {
  CreateProductDocument,
  LogInDocument,
  MeDocument,
  OrderByIdDocument,
  PlaceOrderDocument,
  SignUpDocument,
} from '../../client/generated/graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';
import { eventually } from '../support/eventually';
import { freePort } from '../support/freePort';
import { startSupergraph, type Supergraph } from '../support/supergraph';

type Service = SubgraphName | 'gateway';
const SERVICES: Service[] = ['gateway', ...SUBGRAPH_NAMES];

let sg: Supergraph;
/** Each service's METRICS_PORT, as the others reach it (`<NAME>_INTERNAL_URL`). */
let internal: Record<Service, string>;

beforeAll(async () => {
  const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)));
  internal = Object.fromEntries(SERVICES.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as Record<Service, string>;
  // As the chart runs them: every service on its own METRICS_PORT, every peer told where that is.
  sg = await startSupergraph(
    Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_INTERNAL_URL`, internal[s]])),
    Object.fromEntries(SERVICES.map((s) => [s, { METRICS_PORT: String(ports[s]) }])),
  );
}, 200_000);

afterAll(async () => {
  await sg?.stop();
});

const status = async (url: string) => (await fetch(url)).status;

describe('METRICS_PORT', () => {
  it.each(SERVICES)(
    '%s serves /metrics and its JWKS on its internal port only, and its probes on the public one',
    async (service) => {
      const publicUrl = sg.baseUrl[service];
      expect(await status(`${publicUrl}/metrics`)).toBe(404);
      expect(await status(`${publicUrl}/.well-known/jwks.json`)).toBe(404);
      expect(await status(`${publicUrl}/health`)).toBe(200);
      expect(await status(`${publicUrl}/ready`)).toBe(200);

      const metrics = await fetch(`${internal[service]}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await metrics.text()).toMatch(/^process_start_time_seconds\{service="[a-z]+"\} \d/m);
      const jwks = (await (await fetch(`${internal[service]}/.well-known/jwks.json`)).json()) as { keys: object[] };
      expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', alg: 'ES256', kid: expect.any(String) })]);
      // Nothing else there: no GraphQL and no probes on the internal port.
      expect(await status(`${internal[service]}/graphql`)).toBe(404);
      expect(await status(`${internal[service]}/ready`)).toBe(404);
    },
  );

  it('serves the supergraph with every token verified against the JWKS on the internal ports', async () => {
    // A user token, verified by the gateway with users' JWKS.
    const email = `internal-${randomUUID().slice(0, 8)}@example.com`;
    const signedUp = await sg.execute(SignUpDocument, { input: { email, password: 'internal password', name: 'I' } });
    expect(signedUp.errors).toBeUndefined();
    const token = signedUp.data!.signUp.token;
    expect((await sg.execute(MeDocument, {}, token)).data?.me?.email).toBe(email);

    // gateway -> products (the gateway's JWKS), products -> inventory (products' JWKS).
    const admin = (await sg.execute(LogInDocument, { email: 'admin@example.com', password: 'test-admin-password' }))
      .data!.logIn.token;
    const sku = `INT-${randomUUID().slice(0, 8)}`;
    const created = await sg.execute(
      CreateProductDocument,
      { input: { sku, name: sku, price: 900, initialStock: 3 } },
      admin,
    );
    expect(created.errors).toBeUndefined();

    // orders -> products (orders' JWKS) when the order is placed; then the saga runs to PAID.
    const placed = await sg.execute(
      PlaceOrderDocument,
      {
        input: {
          items: [{ productId: created.data!.createProduct.id, quantity: 1 }],
          paymentMethod: { cardToken: 'tok_visa' },
        },
      },
      token,
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.data!.placeOrder.total.amount).toBe(900);
    const orderId = placed.data!.placeOrder.id;
    await eventually(
      async () => (await sg.execute(OrderByIdDocument, { id: orderId }, token)).data?.order?.status === 'PAID',
      15_000,
    );
  });
});
