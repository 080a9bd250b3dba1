import { BadUserInputError } from '../errors';

/** Opaque cursors: base64url of the keyset values the page is ordered by. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return values as (string | number)[];
    }
  } catch {
    // fall through: any undecodable cursor is the client's error
  }
  throw new BadUserInputError('Invalid cursor', 'after');
}

export const MAX_PAGE_SIZE = 100;

/**
 * For a connection field (`@Directive(CONNECTION_LIST_SIZE)`): its `edges` are as many as its
 * `first`, which the gateway's cost multiplies by. `first` has a default, so a client need not send it.
 */
export const CONNECTION_LIST_SIZE =
  '@listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)';

/** `first` within 0..100; a bigger page is refused, not silently cut. */
export function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return first;
}
