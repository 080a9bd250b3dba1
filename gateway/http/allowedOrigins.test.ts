import { allowedOrigins } from './allowedOrigins';

describe('allowedOrigins', () => {
  it('lets a localhost page on any port in only in development', () => {
    const dev = allowedOrigins(['https://shop.example.com'], { localhost: true });
    const production = allowedOrigins(['https://shop.example.com'], { localhost: false });
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'http://localhost']) {
      expect(dev(origin)).toBe(true);
      expect(production(origin)).toBe(false);
    }
    expect(production('https://shop.example.com')).toBe(true);
  });

  it('never takes a name that only starts like localhost, or https on localhost it was not given', () => {
    const dev = allowedOrigins([], { localhost: true });
    for (const origin of [
      'http://localhost.evil.example',
      'http://localhost:5173.evil.example',
      'https://evil.example',
    ]) {
      expect(dev(origin)).toBe(false);
    }
  });
});
