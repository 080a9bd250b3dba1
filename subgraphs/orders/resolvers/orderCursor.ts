import { BadUserInputError } from '../../../platform/errors';
import { decodeCursor, encodeCursor } from '../../../platform/graphql/cursor';
import { isUuid } from '../../../platform/graphql/ids';
import { requireMaxLength } from '../../../platform/graphql/maxLength';
import type { OrderKeyset } from '../db/OrderQueries';

/**
 * A page of orders ends at (created_at, id). created_at is timestamptz(3), so
 * its ISO string holds the whole value and the keyset comparison is exact.
 */
/** base64url of `["<ISO time>","<uuid>"]`: 67 bytes, 70 past the year 9999, so 94 characters at most. */
export const ORDER_CURSOR_MAX_LENGTH = 100;

export function encodeOrderCursor(order: { createdAt: Date; id: string }): string {
  return encodeCursor([order.createdAt.toISOString(), order.id]);
}

export function decodeOrderCursor(cursor: string): OrderKeyset {
  requireMaxLength(cursor, ORDER_CURSOR_MAX_LENGTH, 'after');
  const [createdAt, id] = decodeCursor(cursor, 2);
  const at = typeof createdAt === 'string' ? new Date(createdAt) : new Date(NaN);
  // Well-formed base64 around the wrong values would otherwise reach SQL as a cast error.
  if (Number.isNaN(at.getTime()) || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError('Invalid cursor', 'after');
  }
  return { createdAt: at, id };
}
