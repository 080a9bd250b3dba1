import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';
import type { CommonConfig } from '../config';
import { ConfigError } from '../config';

/** Every token in the system is ES256: verifiers pin this algorithm. */
export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * The service's key pair. Production passes it in (SIGNING_KEY or
 * SIGNING_KEY_FILE, PKCS#8 PEM); development generates one on first start and
 * keeps it under DATA_DIR/keys so tokens survive restarts.
 */
export async function loadSigningKey(service: string, config: CommonConfig): Promise<SigningKey> {
  const pem =
    config.signingKeyPem ?? (config.signingKeyFile ? await readFile(config.signingKeyFile, 'utf8') : undefined);
  if (pem) return fromPem(pem);
  if (config.production)
    throw new ConfigError('missing setting SIGNING_KEY or SIGNING_KEY_FILE (required in production)');
  const file = path.join(config.dataDir, 'keys', `${service}.pem`);
  try {
    return await fromPem(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const generated = await exportPKCS8(privateKey);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // 'wx' so two processes starting at once cannot overwrite each other's key.
  await writeFile(file, generated, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return fromPem(await readFile(file, 'utf8'));
}

async function fromPem(pem: string): Promise<SigningKey> {
  const privateKey = await importPKCS8(pem, SIGNING_ALG, { extractable: true });
  const { d: _private, ...publicJwk } = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' } };
}

/** The document served at /.well-known/jwks.json. */
export function jwks(key: SigningKey): { keys: JWK[] } {
  return { keys: [key.publicJwk] };
}
