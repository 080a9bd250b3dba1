/**
 * What a subgraph's subscription field does when it is run: refuse. The
 * owning subgraph declares the field so that its type and arguments are part
 * of its schema, and so of the composed contract; the gateway serves it, from
 * the events the subgraph publishes, and never sends it a subscription.
 * Used both as the field's `subscribe` and as its resolver (a subscription
 * sent as a plain HTTP request is executed like a query, through the resolver).
 */
export function servedByGateway(): never {
  throw new Error('Subscriptions are served by the gateway, over WebSocket (graphql-ws) or SSE on its /graphql');
}
