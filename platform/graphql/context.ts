import { isOwnerOrAdmin, type Caller, type UserIdentity } from '../auth/identity';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import type { Logger } from '../logger';

/** What every subgraph resolver gets, before the subgraph adds its loaders. */
export interface BaseContext {
  caller: Caller;
  user?: UserIdentity;
  requestId: string;
  log: Logger;
}

export function requireUser(ctx: BaseContext): UserIdentity {
  if (!ctx.user) throw new UnauthenticatedError();
  return ctx.user;
}

export function requireAdmin(ctx: BaseContext): UserIdentity {
  const user = requireUser(ctx);
  if (user.role !== 'ADMIN') throw new ForbiddenError('Only an administrator may do this');
  return user;
}

/** The owner of a resource or an ADMIN; anyone else is FORBIDDEN. */
export function requireOwnerOrAdmin(ctx: BaseContext, ownerId: string): UserIdentity {
  const user = requireUser(ctx);
  if (!isOwnerOrAdmin(user, ownerId)) throw new ForbiddenError();
  return user;
}
