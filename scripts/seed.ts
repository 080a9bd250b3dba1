import { DEMO_CATALOG, DEMO_CURRENCY, DEMO_INITIAL_STOCK } from './demoCatalog';
import { readDevConfig } from './devSettings';

export interface SeedResult {
  created: number;
  existing: number;
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

type Request = <T>(label: string, query: string, variables: Record<string, unknown>) => Promise<T>;

const LOG_IN = `mutation SeedLogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token }
}`;
const FIND_BY_SKU = `query SeedFindProduct($search: String!) {
  products(first: 5, search: $search) { edges { node { id sku } } }
}`;
const CREATE_PRODUCT = `mutation SeedCreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) { id sku }
}`;

/**
 * Makes sure the demo catalog exists, through the public API only (as a front-end would),
 * so seeding exercises the same gateway, auth and validation as real traffic.
 * Idempotent: a product whose SKU already exists is left alone, so every start may run it.
 * `gatewayUrl` is the GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql.
 */
export async function seed(gatewayUrl: string, adminEmail: string, adminPassword: string): Promise<SeedResult> {
  const logIn = await logInAsAdmin(graphqlRequester(gatewayUrl), adminEmail, adminPassword);
  const admin = graphqlRequester(gatewayUrl, logIn.token);
  let created = 0;
  for (const product of DEMO_CATALOG) {
    if (await skuExists(admin, product.sku)) continue;
    const input = { ...product, currency: DEMO_CURRENCY, initialStock: DEMO_INITIAL_STOCK };
    await admin(`createProduct ${product.sku}`, CREATE_PRODUCT, { input });
    created += 1;
  }
  return { created, existing: DEMO_CATALOG.length - created };
}

/** The users service creates the ADMIN once and does not change its password on later starts. */
async function logInAsAdmin(request: Request, email: string, password: string): Promise<{ token: string }> {
  try {
    const data = await request<{ logIn: { token: string } }>(`logIn as ${email}`, LOG_IN, { email, password });
    return data.logIn;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!message.includes('UNAUTHENTICATED')) throw error;
    throw new Error(`${message} (ADMIN_PASSWORD must be the one the ADMIN account was first created with)`);
  }
}

/** Search is fuzzy (name, description, sku), so only an exact SKU match counts. */
async function skuExists(request: Request, sku: string): Promise<boolean> {
  const data = await request<{ products: { edges: { node: { sku: string } }[] } }>(`search ${sku}`, FIND_BY_SKU, {
    search: sku,
  });
  return data.products.edges.some((edge) => edge.node.sku === sku);
}

/** A plain-fetch GraphQL client that turns any GraphQL error into one readable exception. */
function graphqlRequester(url: string, token?: string): Request {
  return async <T>(label: string, query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    }).catch((error: unknown) => {
      throw new Error(`seed: ${label}: cannot reach ${url}: ${causeOf(error)}`);
    });
    const text = await response.text();
    let body: { data?: T; errors?: GraphQLError[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`seed: ${label}: HTTP ${response.status} without a GraphQL answer: ${text.slice(0, 200)}`);
    }
    if (body.errors?.length) {
      const errors = body.errors.map((error) => `${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
      throw new Error(`seed: ${label} failed: ${errors.join('; ')}`);
    }
    if (!response.ok || !body.data) throw new Error(`seed: ${label}: HTTP ${response.status} without data`);
    return body.data;
  };
}

/** fetch hides the useful part ("ECONNREFUSED") in `cause`. */
function causeOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** `node dist/scripts/seed.js`: seeds a supergraph that is already running. */
async function main(): Promise<void> {
  const { ports, admin } = readDevConfig(process.env);
  const result = await seed(`http://127.0.0.1:${ports.gateway}/graphql`, admin.email, admin.password);
  console.log(`seed: ${result.created} demo products created, ${result.existing} already there`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
