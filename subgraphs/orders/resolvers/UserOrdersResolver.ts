import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { requireOwnerOrAdmin } from '../../../platform/graphql/context';
import { CONNECTION_LIST_SIZE, pageSize } from '../../../platform/graphql/cursor';
import { isUuid } from '../../../platform/graphql/ids';
import type { OrdersContext } from '../context';
import { OrderConnection } from '../schema/OrderConnection';
import { OrderStatus } from '../schema/OrderStatus';
import { toOrder } from '../schema/Order';
import { User } from '../schema/User';
import { decodeOrderCursor, encodeOrderCursor } from './orderCursor';

const DEFAULT_PAGE_SIZE = 20;

/** orders' part of User: the user's orders, newest first. */
@Resolver(() => User)
export class UserOrdersResolver {
  @FieldResolver(() => OrderConnection, {
    description: 'Newest first. Only the user themself or an ADMIN may read it.',
  })
  @Directive(CONNECTION_LIST_SIZE)
  async orders(
    @Root() user: User,
    // Nullable with a default, as in the contract: `first: null` means the default.
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => OrderStatus, { nullable: true }) status: OrderStatus | null,
    @Ctx() ctx: OrdersContext,
  ): Promise<OrderConnection> {
    requireOwnerOrAdmin(ctx, user.id);
    const size = pageSize(first ?? DEFAULT_PAGE_SIZE);
    const keyset = after ? decodeOrderCursor(after) : undefined;
    // Only an ADMIN gets here with an id no user can have (a malformed reference): it has no orders.
    if (!isUuid(user.id)) return { edges: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };

    const page = await ctx.orderQueries.pageForUser({
      userId: user.id,
      first: size,
      after: keyset,
      status: status ?? undefined,
    });
    const edges = page.rows.map((row) => {
      const node = toOrder(row);
      ctx.loaders.order.prime(node.id, node);
      return { cursor: encodeOrderCursor(row), node };
    });
    return {
      edges,
      totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}
