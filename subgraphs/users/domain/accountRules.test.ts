import { normaliseEmail, parseNewAccount } from './accountRules';

const valid = { email: 'ann@example.com', name: 'Ann', password: 'long-enough' };

describe('account rules', () => {
  it('trims and lower-cases emails, trims names and keeps passwords as typed', () => {
    expect(parseNewAccount({ email: ' Ann@Example.COM ', name: '  Ann Lee ', password: ' spaced pw ' })).toEqual({
      email: 'ann@example.com',
      name: 'Ann Lee',
      password: ' spaced pw ',
    });
    expect(normaliseEmail('\tBOB@x.org\n')).toBe('bob@x.org');
  });

  it('accepts the limits: 254-character email, 100-character name, 8 and 128-character passwords', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email).toHaveLength(254);
    expect(() => parseNewAccount({ ...valid, email })).not.toThrow();
    expect(() => parseNewAccount({ ...valid, name: 'n'.repeat(100) })).not.toThrow();
    expect(() => parseNewAccount({ ...valid, password: 'p'.repeat(8) })).not.toThrow();
    expect(() => parseNewAccount({ ...valid, password: 'p'.repeat(128) })).not.toThrow();
  });

  it.each([
    ['email', { email: 'ann@' }],
    ['email', { email: 'ann example.com' }],
    ['email', { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com` }],
    ['name', { name: '' }],
    ['name', { name: ' \t ' }],
    ['name', { name: 'n'.repeat(101) }],
    ['password', { password: 'p'.repeat(7) }],
    ['password', { password: 'p'.repeat(129) }],
  ])('refuses a bad %s with BAD_USER_INPUT naming the field', (field, change) => {
    expect(() => parseNewAccount({ ...valid, ...change })).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } }),
    );
  });

  it('never echoes a refused password', () => {
    expect(() => parseNewAccount({ ...valid, password: 'secret1' })).toThrow('password must be 8 to 128 characters');
  });
});
