import { mayReadPayment } from './mayReadPayment';

const ownerId = '6f1c1c9e-1b7a-4d4e-9a51-2d3c9b8f0a11';

describe('mayReadPayment', () => {
  it("lets the order's owner and any ADMIN read a payment, and nobody else", () => {
    expect(mayReadPayment({ id: ownerId, role: 'CUSTOMER' }, ownerId)).toBe(true);
    expect(mayReadPayment({ id: 'someone-else', role: 'ADMIN' }, ownerId)).toBe(true);
    expect(mayReadPayment({ id: 'someone-else', role: 'CUSTOMER' }, ownerId)).toBe(false);
    expect(mayReadPayment(undefined, ownerId)).toBe(false);
  });
});
