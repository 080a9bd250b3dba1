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
export type ServiceName = SubgraphName | 'gateway';
export const SERVICE_NAMES: readonly ServiceName[] = ['gateway', ...SUBGRAPH_NAMES];
