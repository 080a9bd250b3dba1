import { rateLimitSettings } from './rateLimitSettings';

describe('rateLimitSettings', () => {
  it('takes a hop count or trusted addresses for TRUST_PROXY, never `true` (the client writes the left-most entry)', () => {
    expect(rateLimitSettings.read({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(rateLimitSettings.read({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(rateLimitSettings.read({}).trustProxy).toBeUndefined();
    expect(() => rateLimitSettings.read({ TRUST_PROXY: 'true' })).toThrow(
      /invalid setting TRUST_PROXY: true would trust the X-Forwarded-For the client writes/,
    );
  });

  it('refuses a longest account lockout shorter than the first', () => {
    expect(() => rateLimitSettings.read({ ACCOUNT_LOCKOUT_SECONDS: '600', ACCOUNT_LOCKOUT_MAX_SECONDS: '60' })).toThrow(
      'invalid setting ACCOUNT_LOCKOUT_MAX_SECONDS: 60 is shorter than ACCOUNT_LOCKOUT_SECONDS (600)',
    );
    expect(rateLimitSettings.read({}).rateLimits).toMatchObject({
      accountPoints: 5,
      accountWindowSeconds: 900,
      accountLockoutSeconds: 60,
      accountLockoutMaxSeconds: 3600,
    });
  });
});
