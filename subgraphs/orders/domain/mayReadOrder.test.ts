import { mayReadOrder } from './mayReadOrder';

const ownerId = '6f1c1c9e-1b7a-4d4e-9a51-2d3c9b8f0a11';

describe('mayReadOrder', () => {
  it('lets the owner and any ADMIN read an order, and nobody else', () => {
    expect(mayReadOrder({ id: ownerId, role: 'CUSTOMER' }, ownerId)).toBe(true);
    expect(mayReadOrder({ id: 'someone-else', role: 'ADMIN' }, ownerId)).toBe(true);
    expect(mayReadOrder({ id: 'someone-else', role: 'CUSTOMER' }, ownerId)).toBe(false);
    expect(mayReadOrder(undefined, ownerId)).toBe(false);
  });
});
