import { serviceNameOf, startTracing, type Tracing } from './startTracing';

/**
 * Imported on the first line of every main.ts: instrumentation can only patch
 * http, express, graphql and pg if it runs before they are first required.
 * The service is named after its entry's folder
 * (dist/subgraphs/orders/main.js -> orders, dist/gateway/main.js -> gateway).
 */
export const tracing: Tracing = startTracing(serviceNameOf(require.main?.filename), process.env);
