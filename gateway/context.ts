import type { UserIdentity } from '../platform/auth/identity';

export interface GatewayContext {
  user?: UserIdentity;
  requestId: string;
  /** The client's address: the socket's peer, or express's `req.ip` behind a trusted proxy (TRUST_PROXY). */
  ip: string;
}
