import type { AddressInfo } from 'node:net';
import express from 'express';
import { corsPolicy } from './corsPolicy';
import { allowedOrigins } from './allowedOrigins';

let base: string;
let close: () => void;
beforeAll(async () => {
  const app = express();
  app.use('/graphql', corsPolicy(allowedOrigins(['https://shop.example.com'], { localhost: false })), (_req, res) => {
    res.setHeader('x-request-id', 'r-1');
    res.json({ data: {} });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  close = () => server.close();
});
afterAll(() => close());

const corsHeaders = (res: Response) => {
  const names: string[] = [];
  res.headers.forEach((_value, name) => names.push(name));
  return names.filter((name) => name.startsWith('access-control-'));
};
const preflight = (origin: string) =>
  fetch(base, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });

describe('the CORS policy', () => {
  it('answers an allowed origin with its own origin and exposes x-request-id', async () => {
    const res = await fetch(base, { method: 'POST', headers: { origin: 'https://shop.example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(res.headers.get('access-control-expose-headers')).toBe('x-request-id');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it("answers an allowed origin's preflight with the methods and headers a client needs", async () => {
    const res = await preflight('https://shop.example.com');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(res.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight', 'x-request-id']),
    );
  });

  it('gives another origin, and its preflight, no CORS header at all', async () => {
    const res = await fetch(base, { method: 'POST', headers: { origin: 'https://evil.example.com' } });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
    expect(res.headers.get('vary')).toBe('Origin');
    // a near miss is another origin: scheme, host and port must all match
    for (const origin of ['https://evil.example.com', 'http://shop.example.com', 'https://shop.example.com:8443']) {
      const refused = await preflight(origin);
      expect(refused.status).toBe(204);
      expect(corsHeaders(refused)).toEqual([]);
    }
  });

  it('allows no origin at all when the list is empty', async () => {
    const app = express();
    app.use(corsPolicy(allowedOrigins([], { localhost: false })), (_req, res) => res.end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const res = await fetch(url, { headers: { origin: 'https://shop.example.com' } });
      expect(corsHeaders(res)).toEqual([]);
    } finally {
      server.close();
    }
  });
});
