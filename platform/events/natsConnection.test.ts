import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { natsConnectionOptions } from './natsConnection';
import { natsSettings } from './natsSettings';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nats-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the NATS credential and TLS settings', () => {
  it('map a user and password, a token or a credentials file to the client’s options', () => {
    const read = (env: Record<string, string>) => {
      const s = natsSettings.read(env);
      return natsConnectionOptions({ url: s.natsUrl, name: 'orders', auth: s.natsAuth, tls: s.natsTls });
    };
    expect(read({ NATS_USER: 'orders', NATS_PASSWORD: 'p' })).toMatchObject({ user: 'orders', pass: 'p' });
    expect(read({ NATS_TOKEN: 't' })).toMatchObject({ token: 't' });
    expect(read({})).not.toHaveProperty('tls');
    const creds = path.join(dir, 'orders.creds');
    writeFileSync(creds, '-----BEGIN NATS USER JWT-----\ne30\n------END NATS USER JWT------\n');
    expect(read({ NATS_CREDS_FILE: creds }).authenticator).toEqual(expect.any(Function));
  });

  it('require TLS for a tls:// URL and read the CA and client certificate files at start', () => {
    const ca = path.join(dir, 'ca.crt');
    writeFileSync(ca, 'CA PEM');
    const s = natsSettings.read({ NATS_URL: 'tls://nats:4222', NATS_TLS_CA_FILE: ca });
    const options = natsConnectionOptions({ url: s.natsUrl, name: 'orders', tls: s.natsTls });
    expect(options.tls).toEqual({ ca: 'CA PEM' });
    expect(natsConnectionOptions({ url: 'tls://nats:4222', name: 'x' }).tls).toEqual({});
  });

  it('stop the start with one line naming the variable when a file cannot be read', () => {
    expect(() =>
      natsConnectionOptions({ url: 'nats://nats:4222', name: 'x', tls: { caFile: path.join(dir, 'missing.crt') } }),
    ).toThrow(/^invalid setting NATS_TLS_CA_FILE: cannot read .*missing\.crt \(ENOENT\)$/);
  });

  it('refuse half a pair and two ways of authenticating at once', () => {
    expect(() => natsSettings.read({ NATS_USER: 'orders' })).toThrow(/^invalid setting NATS_PASSWORD: required/);
    expect(() => natsSettings.read({ NATS_PASSWORD: 'p' })).toThrow(/^invalid setting NATS_USER: required/);
    expect(() => natsSettings.read({ NATS_USER: 'o', NATS_PASSWORD: 'p', NATS_TOKEN: 't' })).toThrow(
      /^invalid setting NATS_TOKEN: set only one of NATS_USER, NATS_TOKEN/,
    );
    expect(() => natsSettings.read({ NATS_TLS_CERT_FILE: '/c' })).toThrow(/^invalid setting NATS_TLS_KEY_FILE/);
  });
});
