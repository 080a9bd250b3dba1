import type { UserIdentity } from '../../../platform/auth/identity';

/**
 * The owner of an order or an ADMIN may read it. Non-throwing twin of
 * requireOwnerOrAdmin, for reference resolvers, which answer null instead.
 */
export function mayReadOrder(user: UserIdentity | undefined, ownerId: string): boolean {
  return !!user && (user.role === 'ADMIN' || user.id === ownerId);
}
