export interface OrderLine {
  productId: string;
  quantity: number;
}

export type ReservationPlan = { ok: true; lines: OrderLine[] } | { ok: false; shortProductIds: string[] };

/**
 * All lines or none: the plan reserves every line, or names every product of
 * which fewer units are available than ordered (a product without stock has
 * none). Lines of the same product are merged, and lines are sorted by
 * product id, the order in which stock rows are locked and updated.
 */
export function planReservation(items: readonly OrderLine[], available: ReadonlyMap<string, number>): ReservationPlan {
  const quantities = new Map<string, number>();
  for (const { productId, quantity } of items) {
    const key = productId.toLowerCase();
    quantities.set(key, (quantities.get(key) ?? 0) + quantity);
  }
  const lines = [...quantities]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  const shortProductIds = lines
    .filter((line) => (available.get(line.productId) ?? 0) < line.quantity)
    .map((line) => line.productId);
  return shortProductIds.length > 0 ? { ok: false, shortProductIds } : { ok: true, lines };
}
