import type { UserIdentity } from '../platform/auth/identity';

export interface GatewayContext {
  user?: UserIdentity;
  requestId: string;
}
