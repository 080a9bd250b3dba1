import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions, type TlsOptions } from 'nats';
import { ConfigError } from '../settings/settingsGroup';
import type { NatsAuth, NatsTls } from './natsSettings';
import { natsServers } from './natsServers';

export interface NatsConnectionTarget {
  /** NATS_URL: one server or a cluster's, `tls://` to require TLS. */
  url: string;
  /** Connection name, shown by the NATS server. */
  name: string;
  auth?: NatsAuth;
  tls?: NatsTls;
  /** natsPermissions.ts's inbox of this service; nats.js's shared `_INBOX` when unset. */
  inboxPrefix?: string;
}

/**
 * The nats.js options for NATS_URL and the NATS_* credentials and TLS settings. Files are read
 * here, at start, so a missing one stops the start naming its variable instead of failing every
 * reconnect in the background.
 */
export function natsConnectionOptions(target: NatsConnectionTarget): ConnectionOptions {
  const { auth = {}, tls = {} } = target;
  const servers = natsServers(target.url);
  const options: ConnectionOptions = { servers, name: target.name };
  if (auth.user) {
    options.user = auth.user;
    options.pass = auth.password;
  } else if (auth.token) {
    options.token = auth.token;
  } else if (auth.credsFile) {
    options.authenticator = credsAuthenticator(readSetting('NATS_CREDS_FILE', auth.credsFile));
  }
  // `tls://` alone makes nats.js insist on TLS (it refuses a server that offers none), with the system CAs.
  if (servers.some((server) => server.startsWith('tls://')) || tls.caFile || tls.certFile) {
    const tlsOptions: TlsOptions = {};
    if (tls.caFile) tlsOptions.ca = readSetting('NATS_TLS_CA_FILE', tls.caFile).toString('utf8');
    if (tls.certFile) tlsOptions.cert = readSetting('NATS_TLS_CERT_FILE', tls.certFile).toString('utf8');
    if (tls.keyFile) tlsOptions.key = readSetting('NATS_TLS_KEY_FILE', tls.keyFile).toString('utf8');
    options.tls = tlsOptions;
  }
  if (target.inboxPrefix) options.inboxPrefix = target.inboxPrefix;
  return options;
}

/** Whether the settings name any credentials (the server may still ask for none: see EventBus's warning). */
export function hasNatsCredentials(auth: NatsAuth | undefined): boolean {
  return !!(auth?.user || auth?.token || auth?.credsFile);
}

function readSetting(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(
      `invalid setting ${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}
