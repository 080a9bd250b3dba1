import { planReservation } from './planReservation';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('planReservation', () => {
  it('reserves every line when each product has enough available', () => {
    const plan = planReservation(
      [
        { productId: A, quantity: 2 },
        { productId: B, quantity: 5 },
      ],
      new Map([
        [A, 2],
        [B, 9],
      ]),
    );
    expect(plan).toEqual({
      ok: true,
      lines: [
        { productId: A, quantity: 2 },
        { productId: B, quantity: 5 },
      ],
    });
  });

  it('rejects the whole order and names every product that is short', () => {
    const plan = planReservation(
      [
        { productId: A, quantity: 3 },
        { productId: B, quantity: 1 },
        { productId: C, quantity: 1 },
      ],
      new Map([
        [A, 2],
        [B, 1],
        [C, 0],
      ]),
    );
    expect(plan).toEqual({ ok: false, shortProductIds: [A, C] });
  });

  it('treats a product without stock as short', () => {
    expect(planReservation([{ productId: A, quantity: 1 }], new Map())).toEqual({ ok: false, shortProductIds: [A] });
  });

  it('merges lines of the same product before checking what is available', () => {
    const available = new Map([[A, 4]]);
    const twoLines = [
      { productId: A, quantity: 2 },
      { productId: A, quantity: 3 },
    ];
    expect(planReservation(twoLines, available)).toEqual({ ok: false, shortProductIds: [A] });
    expect(planReservation(twoLines, new Map([[A, 5]]))).toEqual({ ok: true, lines: [{ productId: A, quantity: 5 }] });
  });

  it('sorts lines by product id (the lock order) and compares ids case-insensitively', () => {
    const plan = planReservation(
      [
        { productId: C, quantity: 1 },
        { productId: A.toUpperCase(), quantity: 1 },
        { productId: B, quantity: 1 },
      ],
      new Map([
        [A, 1],
        [B, 1],
        [C, 1],
      ]),
    );
    expect(plan.ok && plan.lines.map((l) => l.productId)).toEqual([A, B, C]);
  });
});
