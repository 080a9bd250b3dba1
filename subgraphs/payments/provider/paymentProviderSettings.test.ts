import { paymentProviderSettings } from './paymentProviderSettings';

describe('PAYMENT_PROVIDER', () => {
  it('is the simulated provider when unset outside production', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      expect(paymentProviderSettings.read({ NODE_ENV }).providerName).toBe('simulated');
    }
  });

  it('must be given in production: unset stops the start with one line naming the variable', () => {
    expect(() => paymentProviderSettings.read({ NODE_ENV: 'production' })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        message: expect.stringMatching(/^invalid setting PAYMENT_PROVIDER: required in production [^\n]+$/),
      }),
    );
  });

  it('runs production on the simulated provider when it is named explicitly', () => {
    const env = { NODE_ENV: 'production', PAYMENT_PROVIDER: 'simulated' };
    expect(paymentProviderSettings.read(env).providerName).toBe('simulated');
  });

  it('refuses a provider it has no adapter for', () => {
    expect(() => paymentProviderSettings.read({ PAYMENT_PROVIDER: 'stripe' })).toThrow(
      /^invalid setting PAYMENT_PROVIDER: /,
    );
  });
});
