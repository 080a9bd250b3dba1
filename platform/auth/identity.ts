export type Role = 'CUSTOMER' | 'ADMIN';

/** The signed-in user a request acts for, as the gateway vouched for it. */
export interface UserIdentity {
  id: string;
  role: Role;
}

/** Who called a subgraph: the gateway (maybe for a user) or another service. */
export interface Caller {
  service: string;
  scopes: string[];
  user?: UserIdentity;
}

/** The owner of a resource or an ADMIN; the non-throwing form, for reference resolvers that answer null. */
export function isOwnerOrAdmin(user: UserIdentity | undefined, ownerId: string): boolean {
  return !!user && (user.role === 'ADMIN' || user.id === ownerId);
}
