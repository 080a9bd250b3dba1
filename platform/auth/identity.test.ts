import { isOwnerOrAdmin } from './identity';

const ownerId = '6f1c1c9e-1b7a-4d4e-9a51-2d3c9b8f0a11';

describe('isOwnerOrAdmin', () => {
  it('lets the owner and any ADMIN through, and nobody else', () => {
    expect(isOwnerOrAdmin({ id: ownerId, role: 'CUSTOMER' }, ownerId)).toBe(true);
    expect(isOwnerOrAdmin({ id: 'someone-else', role: 'ADMIN' }, ownerId)).toBe(true);
    expect(isOwnerOrAdmin({ id: 'someone-else', role: 'CUSTOMER' }, ownerId)).toBe(false);
    expect(isOwnerOrAdmin(undefined, ownerId)).toBe(false);
  });
});
