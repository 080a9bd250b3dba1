import type { UserIdentity } from '../../platform/auth/identity';
import { BadUserInputError, UnauthenticatedError } from '../../platform/errors';
import { ID_MAX_LENGTH } from '../../platform/graphql/ids';
import { requireMaxLength } from '../../platform/graphql/maxLength';
import { StockChanged } from '../../subgraphs/inventory/events/contracts';
import { OrderStatusChanged } from '../../subgraphs/orders/events/contracts';
import type { Change, FollowedChange } from './ChangeFeed';

type StatusChange = ReturnType<typeof OrderStatusChanged.parse>;
type StockChange = ReturnType<typeof StockChanged.parse>;

/** Statuses an order never leaves. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['PAID', 'REJECTED', 'CANCELLED']);
/** The contract's bound on productsUpdated's ids. */
export const MAX_PRODUCT_IDS = 100;

/** The changes the gateway follows: an order's status (orders), a product's units (inventory). */
export const FOLLOWED_CHANGES: readonly FollowedChange<never>[] = [
  {
    domain: 'orders',
    contract: OrderStatusChanged,
    entities: (d: StatusChange) => [
      { key: `order:${d.orderId}`, entityId: d.orderId },
      { key: `user:${d.userId}`, entityId: d.orderId },
    ],
    changedAt: (d: StatusChange) => d.changedAt,
  } as FollowedChange<StatusChange>,
  {
    domain: 'inventory',
    contract: StockChanged,
    entities: (d: StockChange) => d.products.map((p) => ({ key: `product:${p.productId}`, entityId: p.productId })),
    changedAt: (d: StockChange) => d.changedAt,
  } as FollowedChange<StockChange>,
] as unknown as readonly FollowedChange<never>[];

/** What a subscription field watches and how each change becomes a frame. */
export interface SubscriptionField {
  /** The query field that reads the entity a change names (`order(id)`, `product(id)`). */
  queryField: 'order' | 'product';
  /** The streams its changes are in (the event id names a position in each). */
  domains: readonly string[];
  /** The keys to watch for these arguments and this subscriber; throws to refuse. */
  watch(args: Record<string, unknown>, user: UserIdentity | undefined): string[];
  /** The entity read once at the start ("the order now"), when the field has one. */
  initialEntityId?(args: Record<string, unknown>): string;
  /** An order's changes: each frame carries the change's own status, and the first frame's place in the history. */
  orderChanges?: true;
}

export const SUBSCRIPTION_FIELDS: Record<string, SubscriptionField> = {
  orderUpdated: {
    queryField: 'order',
    domains: ['orders'],
    watch: (args, user) => {
      // The gateway serves these fields, so it bounds their ids as orders and products bound theirs.
      requireMaxLength(String(args.id), ID_MAX_LENGTH, 'id');
      signedIn(user);
      return [`order:${String(args.id)}`];
    },
    initialEntityId: (args) => String(args.id),
    orderChanges: true,
  },
  myOrdersUpdated: {
    queryField: 'order',
    domains: ['orders'],
    watch: (_args, user) => [`user:${signedIn(user).id}`],
    orderChanges: true,
  },
  productsUpdated: {
    queryField: 'product',
    domains: ['inventory'],
    watch: (args) => {
      const ids = [...new Set(args.ids as string[])];
      if (ids.length === 0 || ids.length > MAX_PRODUCT_IDS) {
        throw new BadUserInputError(`productsUpdated takes 1 to ${MAX_PRODUCT_IDS} ids`, 'ids');
      }
      for (const id of ids) requireMaxLength(id, ID_MAX_LENGTH, 'ids');
      return ids.map((id) => `product:${id}`);
    },
  },
};

function signedIn(user: UserIdentity | undefined): UserIdentity {
  if (!user) throw new UnauthenticatedError('Sign in to follow orders');
  return user;
}

/** An order change's own values, which replace what delivery reads for these fields of the order. */
export function orderChangeValues(change: Change): { seq: number; values: Record<string, unknown> } {
  const data = change.data as StatusChange;
  return {
    seq: data.seq,
    values: {
      status: data.status,
      rejectionReason: data.rejectionReason,
      updatedAt: new Date(data.changedAt).toISOString(),
    },
  };
}
