import { DEV_ADMIN } from '../../scripts/devSettings';
import { DEV_ADMIN_PASSWORD, adminSettings } from './adminSettings';

const production = { NODE_ENV: 'production' };

describe('ADMIN_PASSWORD', () => {
  it('is the password npm start passes in development', () => {
    expect(DEV_ADMIN.password).toBe(DEV_ADMIN_PASSWORD);
    expect(adminSettings.read({ ADMIN_PASSWORD: DEV_ADMIN.password }).admin).toEqual({
      email: 'admin@example.com',
      password: DEV_ADMIN.password,
    });
  });

  it('refuses the documented development password in production, with one line naming the variable', () => {
    expect(() => adminSettings.read({ ...production, ADMIN_PASSWORD: DEV_ADMIN.password })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        message: expect.stringMatching(/^invalid setting ADMIN_PASSWORD: the development password [^\n]+$/),
      }),
    );
  });

  it.each([
    ['too short', 'seven77'],
    ['too long', 'p'.repeat(129)],
  ])('refuses a password outside the account rules (%s) in every mode', (_case, password) => {
    for (const env of [{}, production]) {
      expect(() => adminSettings.read({ ...env, ADMIN_PASSWORD: password })).toThrow(
        /^invalid setting ADMIN_PASSWORD: /,
      );
    }
  });

  it('takes any other password within the rules in production, and none at all', () => {
    expect(adminSettings.read({ ...production, ADMIN_PASSWORD: 'a-real-secret-42' }).admin?.password).toBe(
      'a-real-secret-42',
    );
    expect(adminSettings.read(production).admin).toBeUndefined();
  });
});
