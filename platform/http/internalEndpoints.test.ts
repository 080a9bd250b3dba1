import express from 'express';
import { Counter, Registry } from 'prom-client';
import { generateKeyPair, exportPKCS8 } from 'jose';
import { freePort } from '../../scripts/freePort';
import { peerSettingsGroup } from './peerSettings';
import { loadSigningKey, type SigningKey } from '../auth/signingKey';
import { loadCommonConfig } from '../config';
import { createLogger } from '../logger';
import { serveInternalEndpoints } from './internalEndpoints';
import { listen } from './listen';

const log = createLogger('test', 'silent');
let key: SigningKey;
let registry: Registry;

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  key = await loadSigningKey('test', { ...loadCommonConfig({}), signingKeyPem: await exportPKCS8(privateKey) });
  registry = new Registry();
  new Counter({ name: 'probe_total', help: 'a probe', registers: [registry] }).inc();
});

/** The public app (with a /graphql stand-in) and its internal endpoints, both listening. */
async function serve(metricsPort?: number) {
  const app = express();
  app.post('/graphql', (_req, res) => void res.json({ data: {} }));
  const internal = await serveInternalEndpoints(app, { host: '127.0.0.1', port: 0, metricsPort }, registry, key, log);
  const server = await listen(app, '127.0.0.1', 0);
  return {
    publicUrl: `http://127.0.0.1:${server.port}`,
    internalUrl: `http://127.0.0.1:${metricsPort ?? server.port}`,
    close: async () => {
      await server.close();
      await internal.close();
    },
  };
}

const status = async (url: string) => (await fetch(url)).status;

describe('internal endpoints', () => {
  it('are served beside /graphql without METRICS_PORT, as in development', async () => {
    const s = await serve();
    try {
      expect(await (await fetch(`${s.publicUrl}/metrics`)).text()).toMatch(/^probe_total 1$/m);
      expect(((await (await fetch(`${s.publicUrl}/.well-known/jwks.json`)).json()) as any).keys[0].kid).toBe(key.kid);
    } finally {
      await s.close();
    }
  });

  it('move to METRICS_PORT when it is set: the public port answers neither', async () => {
    const s = await serve(await freePort());
    try {
      expect(await status(`${s.publicUrl}/metrics`)).toBe(404);
      expect(await status(`${s.publicUrl}/.well-known/jwks.json`)).toBe(404);
      expect((await fetch(`${s.publicUrl}/graphql`, { method: 'POST' })).status).toBe(200);
      expect(await (await fetch(`${s.internalUrl}/metrics`)).text()).toMatch(/^probe_total 1$/m);
      expect(((await (await fetch(`${s.internalUrl}/.well-known/jwks.json`)).json()) as any).keys[0].kid).toBe(key.kid);
      expect(await status(`${s.internalUrl}/graphql`)).toBe(404);
    } finally {
      await s.close();
    }
  });

  it("refuses METRICS_PORT equal to the service's own port", async () => {
    await expect(
      serveInternalEndpoints(express(), { host: '127.0.0.1', port: 4000, metricsPort: 4000 }, registry, key, log),
    ).rejects.toThrow(/^invalid setting METRICS_PORT: 4000 is the service's own port$/);
  });

  it("points JWKS fetches at a peer's <NAME>_INTERNAL_URL, or its first URL without one", () => {
    const peers = peerSettingsGroup.read({
      USERS_URL: 'http://users:4001,http://users-2:4001',
      GATEWAY_INTERNAL_URL: 'http://gateway:9464/',
      METRICS_PORT: '9464',
    });
    expect(peers.internalUrl.gateway).toBe('http://gateway:9464');
    expect(peers.internalUrl.users).toBe('http://users:4001');
    expect(peers.metricsPort).toBe(9464);
    expect(peerSettingsGroup.read({}).metricsPort).toBeUndefined();
    expect(() => peerSettingsGroup.read({ METRICS_PORT: '0' })).toThrow(/^invalid setting METRICS_PORT: /);
  });
});
