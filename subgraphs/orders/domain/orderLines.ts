import { createHash } from 'node:crypto';
import { BadUserInputError } from '../../../platform/errors';

export const MAX_LINES = 100;
export const MAX_QUANTITY = 1_000;
/** orders.total_cents is a Postgres integer. */
const MAX_TOTAL_CENTS = 2_147_483_647;

export interface RequestedLine {
  productId: string;
  quantity: number;
}

export interface CatalogEntry {
  name: string;
  priceCents: number;
  currency: string;
}

export interface PricedLine extends RequestedLine {
  productName: string;
  unitPriceCents: number;
}

export interface PricedOrder {
  lines: PricedLine[];
  totalCents: number;
  currency: string;
}

/**
 * Checks what a customer asks for and merges repeated products into one
 * line, sorted by product id: the order inventory reserves in, so that two
 * orders never lock the same rows in opposite orders.
 */
export function normaliseLines(lines: RequestedLine[], isId: (id: string) => boolean): RequestedLine[] {
  if (lines.length === 0) throw new BadUserInputError('An order needs at least one item', 'items');
  if (lines.length > MAX_LINES) throw new BadUserInputError(`An order has at most ${MAX_LINES} items`, 'items');
  const merged = new Map<string, number>();
  for (const { productId, quantity } of lines) {
    if (!isId(productId)) throw new BadUserInputError(`Unknown product ${productId}`, 'productId');
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw new BadUserInputError(`quantity must be between 1 and ${MAX_QUANTITY}`, 'quantity');
    }
    merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  }
  const normalised = [...merged].map(([productId, quantity]) => ({ productId, quantity }));
  if (normalised.some((line) => line.quantity > MAX_QUANTITY)) {
    throw new BadUserInputError(`quantity must be between 1 and ${MAX_QUANTITY}`, 'quantity');
  }
  return normalised.sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/** Prices the lines with the catalog as it is now; names and prices are copied into the order. */
export function priceLines(lines: RequestedLine[], catalog: Map<string, CatalogEntry>): PricedOrder {
  const priced = lines.map((line) => {
    const product = catalog.get(line.productId);
    if (!product) throw new BadUserInputError(`Unknown product ${line.productId}`, 'productId');
    return { ...line, productName: product.name, unitPriceCents: product.priceCents, currency: product.currency };
  });
  const currencies = new Set(priced.map((line) => line.currency));
  if (currencies.size > 1) throw new BadUserInputError('All items of an order must be priced in one currency', 'items');
  const totalCents = priced.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  if (totalCents > MAX_TOTAL_CENTS) throw new BadUserInputError('The order total is too large', 'items');
  return {
    lines: priced.map(({ currency: _currency, ...line }) => line),
    totalCents,
    currency: priced[0].currency,
  };
}

/**
 * What a placeOrder request asked for, as a hash: the same idempotency key
 * with another request behind it is a conflict, not a retry.
 */
export function requestFingerprint(lines: RequestedLine[], cardToken: string): string {
  const canonical = JSON.stringify({ lines: lines.map((l) => [l.productId, l.quantity]), cardToken });
  return createHash('sha256').update(canonical).digest('hex');
}
