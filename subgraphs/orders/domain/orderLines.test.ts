import { normaliseLines, priceLines, requestFingerprint } from './orderLines';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const isId = (id: string) => id.length === 36;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return undefined;
};

describe('order lines', () => {
  it('merges repeated products and sorts the lines by product id', () => {
    expect(
      normaliseLines(
        [
          { productId: B, quantity: 1 },
          { productId: A, quantity: 2 },
          { productId: B, quantity: 3 },
        ],
        isId,
      ),
    ).toEqual([
      { productId: A, quantity: 2 },
      { productId: B, quantity: 4 },
    ]);
  });

  it('refuses empty orders, too many lines, bad quantities and unknown ids', () => {
    expect(codeOf(() => normaliseLines([], isId))).toBe('BAD_USER_INPUT');
    const many = Array.from({ length: 101 }, (_, i) => ({
      productId: `${A.slice(0, -3)}${String(i).padStart(3, '0')}`,
      quantity: 1,
    }));
    expect(codeOf(() => normaliseLines(many, isId))).toBe('BAD_USER_INPUT');
    for (const quantity of [0, -1, 1001, 1.5]) {
      expect(codeOf(() => normaliseLines([{ productId: A, quantity }], isId))).toBe('BAD_USER_INPUT');
    }
    expect(
      codeOf(() =>
        normaliseLines(
          [
            { productId: A, quantity: 600 },
            { productId: A, quantity: 600 },
          ],
          isId,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(() => normaliseLines([{ productId: 'nope', quantity: 1 }], isId))).toBe('BAD_USER_INPUT');
  });

  it('prices lines in integer cents and refuses mixed currencies and unknown products', () => {
    const catalog = new Map([
      [A, { name: 'Mug', priceCents: 1299, currency: 'USD' }],
      [B, { name: 'Pen', priceCents: 150, currency: 'USD' }],
    ]);
    expect(
      priceLines(
        [
          { productId: A, quantity: 2 },
          { productId: B, quantity: 3 },
        ],
        catalog,
      ),
    ).toEqual({
      lines: [
        { productId: A, quantity: 2, productName: 'Mug', unitPriceCents: 1299 },
        { productId: B, quantity: 3, productName: 'Pen', unitPriceCents: 150 },
      ],
      totalCents: 3048,
      currency: 'USD',
    });
    catalog.set(B, { name: 'Pen', priceCents: 150, currency: 'EUR' });
    expect(
      codeOf(() =>
        priceLines(
          [
            { productId: A, quantity: 1 },
            { productId: B, quantity: 1 },
          ],
          catalog,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(() => priceLines([{ productId: 'x', quantity: 1 }], catalog))).toBe('BAD_USER_INPUT');
  });

  it('refuses a total beyond what an order can hold', () => {
    const catalog = new Map([[A, { name: 'Gold', priceCents: 100_000_000, currency: 'USD' }]]);
    expect(codeOf(() => priceLines([{ productId: A, quantity: 1000 }], catalog))).toBe('BAD_USER_INPUT');
  });

  it('fingerprints a request by its lines and card', () => {
    const lines = [{ productId: A, quantity: 1 }];
    expect(requestFingerprint(lines, 'tok_visa')).toBe(requestFingerprint(lines, 'tok_visa'));
    expect(requestFingerprint(lines, 'tok_visa')).not.toBe(requestFingerprint(lines, 'tok_decline'));
    expect(requestFingerprint(lines, 'tok_visa')).not.toBe(
      requestFingerprint([{ productId: A, quantity: 2 }], 'tok_visa'),
    );
  });
});
