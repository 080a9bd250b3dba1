import { randomBytes } from 'node:crypto';
import { CreateProductDocument, LogInDocument, SignUpDocument } from '../../client/generated/graphql';
import type { ChaosSettings } from './chaosSettings';
import { causeOf, type GraphQLClient, type Outcome } from './GraphQLClient';

export interface ChaosProduct {
  id: string;
  initialStock: number;
  scarce: boolean;
}

export interface ChaosCustomer {
  id: string;
  token: string;
}

export interface ChaosData {
  products: ChaosProduct[];
  customers: ChaosCustomer[];
}

/** Requests at once while seeding: sign-ups hash a password each, on the users service's CPU. */
const SEED_CONCURRENCY = 4;

/**
 * Through the public API, as a shop would be set up: the ADMIN (created by
 * the users service from ADMIN_PASSWORD) creates the products with their
 * initial stock, and each customer signs up.
 */
export async function seedChaosData(
  client: GraphQLClient,
  admin: { email: string; password: string },
  settings: ChaosSettings,
): Promise<ChaosData> {
  const adminToken = must(await client.execute(LogInDocument, admin), 'logIn as ADMIN').logIn.token;
  const { plentiful, plentifulStock, scarce, scarceStock } = settings.catalog;
  const run = randomBytes(3).toString('hex').toUpperCase();
  const wanted = [
    ...Array.from({ length: plentiful }, () => ({ initialStock: plentifulStock, scarce: false })),
    ...Array.from({ length: scarce }, () => ({ initialStock: scarceStock, scarce: true })),
  ];
  const products = await inBatches(wanted, async (product, i) => {
    const input = {
      sku: `CHAOS-${run}-${String(i + 1).padStart(3, '0')}`,
      name: `Chaos product ${i + 1}${product.scarce ? ' (scarce)' : ''}`,
      price: 500 + ((i * 733) % 4_500),
      initialStock: product.initialStock,
    };
    const created = must(await client.execute(CreateProductDocument, { input }, adminToken), 'createProduct');
    return { id: created.createProduct.id, ...product };
  });
  const customers = await inBatches(
    Array.from({ length: settings.customers }, (_, i) => i),
    async (i) => {
      const input = {
        email: `chaos-${run.toLowerCase()}-${i + 1}@example.com`,
        password: `chaos-password-${run}`,
        name: `Chaos customer ${i + 1}`,
      };
      const { signUp } = must(await client.execute(SignUpDocument, { input }), 'signUp');
      return { id: signUp.user.id, token: signUp.token };
    },
  );
  return { products, customers };
}

function must<T>(outcome: Outcome<T>, what: string): T {
  if (outcome.kind === 'graphql') throw new Error(`seeding failed: ${what}: ${causeOf(outcome)}: ${outcome.message}`);
  if (outcome.kind !== 'ok') throw new Error(`seeding failed: ${what}: ${causeOf(outcome)}`);
  return outcome.data;
}

async function inBatches<T, R>(items: T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += SEED_CONCURRENCY) {
    const batch = items.slice(start, start + SEED_CONCURRENCY);
    results.push(...(await Promise.all(batch.map((item, j) => work(item, start + j)))));
  }
  return results;
}
