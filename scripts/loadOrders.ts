import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  CreateProductDocument,
  LogInDocument,
  OrderByIdDocument,
  PlaceOrderDocument,
  SignUpDocument,
} from '../client/generated/graphql';
import { peerSettingsGroup } from '../platform/http/peerSettings';
import { readDevConfig } from './devSettings';
import { loadOrdersSettings } from './loadOrdersSettings';

/**
 * `npm run load:orders`: a short load of orders against a running supergraph
 * (`npm start`), reporting orders/s and placeOrder -> PAID latency from the
 * orders' own history timestamps.
 */
const { total, concurrency } = loadOrdersSettings.read(process.env);
const gatewayUrl = `${peerSettingsGroup.read(process.env).baseUrl.gateway}/graphql`;

async function execute<T, V>(document: TypedDocumentNode<T, V>, variables: V, token?: string): Promise<T> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${response.status}`);
  return body.data;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const admin = await execute(LogInDocument, readDevConfig(process.env).admin);
  const sku = `LOAD-${randomUUID().slice(0, 8)}`;
  const product = await execute(
    CreateProductDocument,
    { input: { sku, name: `Load test ${sku}`, price: 499, initialStock: total } },
    admin.logIn.token,
  );
  const customer = await execute(SignUpDocument, {
    input: { email: `${sku.toLowerCase()}@example.com`, password: 'load test password', name: 'Load test' },
  });
  const token = customer.signUp.token;

  const ids: string[] = [];
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const placed = await execute(
          PlaceOrderDocument,
          {
            input: {
              items: [{ productId: product.createProduct.id, quantity: 1 }],
              paymentMethod: { cardToken: 'tok_visa' },
            },
          },
          token,
        );
        ids.push(placed.placeOrder.id);
      }
    }),
  );
  const placedIn = Date.now() - started;

  const latencies: number[] = [];
  let lastPaidAt = 0;
  for (const id of ids) {
    for (;;) {
      const { order } = await execute(OrderByIdDocument, { id }, token);
      const paid = order?.history.find((change) => change.status === 'PAID');
      if (order && paid) {
        const pending = order.history.find((change) => change.status === 'PENDING')!;
        latencies.push(Date.parse(paid.at) - Date.parse(pending.at));
        lastPaidAt = Math.max(lastPaidAt, Date.parse(paid.at));
        break;
      }
      if (order?.status === 'REJECTED' || order?.status === 'CANCELLED') throw new Error(`order ${id} ${order.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  latencies.sort((a, b) => a - b);
  const seconds = (lastPaidAt - started) / 1000;
  console.log(`${total} orders, ${concurrency} at a time`);
  console.log(`placeOrder: ${(total / (placedIn / 1000)).toFixed(1)} orders/s accepted`);
  console.log(`all PAID after ${seconds.toFixed(2)} s: ${(total / seconds).toFixed(1)} orders/s end to end`);
  console.log(
    `placeOrder -> PAID: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(`load failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
