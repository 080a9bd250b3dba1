import { hashOfNoOne, hashPassword, verifyPassword } from './passwords';

describe('passwords', () => {
  it('hashes to a self-describing scrypt string with a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/);
    expect(a).not.toBe(b);
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
