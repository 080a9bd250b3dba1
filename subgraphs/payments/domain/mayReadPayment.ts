import type { UserIdentity } from '../../../platform/auth/identity';

/**
 * The owner of the paid order or an ADMIN may read a payment. Non-throwing twin
 * of requireOwnerOrAdmin, for reference resolvers, which answer null instead.
 */
export function mayReadPayment(user: UserIdentity | undefined, ownerId: string): boolean {
  return !!user && (user.role === 'ADMIN' || user.id === ownerId);
}
