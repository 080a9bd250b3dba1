import { PASSWORD_COST, hashOfNoOne, hashPassword, isBelowCost, verifyPassword } from './passwords';

describe('passwords', () => {
  it('hashes to a self-describing scrypt string with a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(a).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/);
    expect(a).not.toBe(b);
  });

  it("hashes at no less than OWASP's minimum for scrypt (N=2^17 r=8 p=1, or as much work with r=8 and N >= 2^13)", () => {
    const { N, r, p } = PASSWORD_COST;
    expect(r).toBe(8);
    expect(N).toBeGreaterThanOrEqual(2 ** 13);
    // The cheat sheet's equivalents: 2^17/1, 2^16/2, 2^15/3, 2^14/5, 2^13/10; the least work of them is 2^14 x 5.
    expect(N * p).toBeGreaterThanOrEqual(2 ** 14 * 5);
  });

  it('tells a hash made with less memory or less work than the current parameters, and no other', async () => {
    const hashed = (N: number, p: number) => `scrypt$${N}$8$${p}$c2FsdA==$a2V5`;
    expect(isBelowCost(hashed(16384, 1))).toBe(true);
    expect(isBelowCost(hashed(8192, 10))).toBe(true);
    expect(isBelowCost(await hashPassword('correct horse'))).toBe(false);
    expect(isBelowCost(hashed(131072, 1))).toBe(false);
    expect(isBelowCost('not a hash')).toBe(false);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('Correct horse', hash)).toBe(false);
  });

  it('verifies with the cost a hash names, so the default can be raised later', async () => {
    const cheap = await hashPassword('correct horse', { N: 1024, r: 8, p: 1 });
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse', cheap)).toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['another scheme', 'bcrypt$2b$10$abc'],
    ['a cost that is not a power of two', 'scrypt$1000$8$1$c2FsdA==$a2V5'],
    ['a cost too large to compute', 'scrypt$1073741824$8$1$c2FsdA==$a2V5'],
    ['a parallelism too large to compute', 'scrypt$16384$8$100000$c2FsdA==$a2V5'],
    ['a missing hash', 'scrypt$16384$8$1$c2FsdA==$'],
  ])('never matches a malformed stored hash: %s', async (_case, stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });

  it('keeps one hash of no one, which no password matches', async () => {
    const dummy = await hashOfNoOne();
    expect(await hashOfNoOne()).toBe(dummy);
    expect(await verifyPassword('', dummy)).toBe(false);
  });
});
