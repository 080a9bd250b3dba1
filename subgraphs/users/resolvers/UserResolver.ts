import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { isOwnerOrAdmin } from '../../../platform/auth/identity';
import { requireAdmin } from '../../../platform/graphql/context';
import { ID_MAX_LENGTH } from '../../../platform/graphql/ids';
import { requireMaxLength } from '../../../platform/graphql/maxLength';
import { ForbiddenError } from '../../../platform/errors';
import type { UsersContext } from '../context';
import { User } from '../schema/User';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user; null when not signed in' })
  async me(@Ctx() ctx: UsersContext): Promise<User | null> {
    return ctx.user ? ctx.loaders.user.load(ctx.user.id) : null;
  }

  @Query(() => User, { nullable: true, description: 'ADMIN only; null for an unknown id' })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: UsersContext): Promise<User | null> {
    requireMaxLength(id, ID_MAX_LENGTH, 'id');
    requireAdmin(ctx);
    return ctx.loaders.user.load(id);
  }

  /**
   * Other subgraphs reference users (Order.user), so any signed-in client can
   * reach a User through the gateway: its email stays private to its owner and ADMINs.
   */
  @FieldResolver(() => String)
  email(@Root() user: User, @Ctx() ctx: UsersContext): string {
    const mayRead = user.provenByRequest || isOwnerOrAdmin(ctx.user, user.id);
    if (!mayRead) throw new ForbiddenError("Only the user themself or an administrator may read a user's email");
    return user.email;
  }
}
