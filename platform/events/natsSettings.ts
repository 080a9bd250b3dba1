import { z } from 'zod';
import { SERVICE_NAMES } from '../serviceNames';
import { custom, text } from '../settings/setting';
import { ConfigError, settingsGroup } from '../settings/settingsGroup';

/** How a service proves who it is to NATS: one of a user and password, a token, or a credentials file. */
export interface NatsAuth {
  user?: string;
  password?: string;
  token?: string;
  /** An nkey/JWT `.creds` file (NATS accounts, e.g. a managed NATS). */
  credsFile?: string;
}

/** TLS towards NATS: a CA to trust (a private one) and a client certificate when the server verifies clients. */
export interface NatsTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface NatsSettings {
  natsUrl: string;
  /** Namespace of every stream and subject (naming.ts), so deployments and test runs sharing a server never meet. */
  eventsPrefix: string;
  natsAuth: NatsAuth;
  natsTls: NatsTls;
}

/** Set or unset, never empty: an empty password is a mistake in a Secret, not "no password". */
function optional(description: string, values: string, schema: z.ZodType<string>) {
  return custom({ description, values, invalid: '', schema: schema.optional() });
}
const nonEmpty = z.string().min(1, 'empty');
const path = (description: string) => optional(description, 'a file path', nonEmpty);

/**
 * Where the events are, for every service: the subgraphs publish and consume
 * the saga's events, the gateway follows the changes its subscriptions deliver.
 */
export const natsSettings = settingsGroup(
  'nats',
  SERVICE_NAMES,
  {
    NATS_URL: text({
      default: 'nats://127.0.0.1:4222',
      description: 'NATS with JetStream (comma-separated: a cluster; `tls://` requires TLS)',
    }),
    EVENTS_PREFIX: text({
      default: 'supergraph',
      pattern: { regex: /^[A-Za-z0-9_-]+$/, allows: 'letters, digits, _ and - only' },
      description: 'namespace of streams and subjects',
    }),
    NATS_USER: optional(
      'NATS user (with NATS_PASSWORD); unset with no token or creds file: no authentication, warned at start',
      'a user name, no spaces',
      z.string().regex(/^[^\s]+$/, 'a user name without spaces'),
    ),
    NATS_PASSWORD: optional('password of NATS_USER', 'text', nonEmpty),
    NATS_TOKEN: optional('NATS token, instead of a user and password', 'text', nonEmpty),
    NATS_CREDS_FILE: path('NATS credentials file (nkey/JWT `.creds`), instead of a user and password'),
    NATS_TLS_CA_FILE: path('CA certificate (PEM) to verify the NATS server by; implies TLS'),
    NATS_TLS_CERT_FILE: path('client certificate (PEM) for NATS servers that verify clients (with NATS_TLS_KEY_FILE)'),
    NATS_TLS_KEY_FILE: path('private key (PEM) of NATS_TLS_CERT_FILE'),
  },
  (s): NatsSettings => {
    if (!!s.NATS_USER !== !!s.NATS_PASSWORD) {
      throw new ConfigError(`invalid setting ${s.NATS_USER ? 'NATS_PASSWORD' : 'NATS_USER'}: required with the other`);
    }
    const ways = [s.NATS_USER && 'NATS_USER', s.NATS_TOKEN && 'NATS_TOKEN', s.NATS_CREDS_FILE && 'NATS_CREDS_FILE'];
    const chosen = ways.filter(Boolean);
    if (chosen.length > 1) throw new ConfigError(`invalid setting ${chosen[1]}: set only one of ${chosen.join(', ')}`);
    if (!!s.NATS_TLS_CERT_FILE !== !!s.NATS_TLS_KEY_FILE) {
      const missing = s.NATS_TLS_CERT_FILE ? 'NATS_TLS_KEY_FILE' : 'NATS_TLS_CERT_FILE';
      throw new ConfigError(`invalid setting ${missing}: required with the other`);
    }
    return {
      natsUrl: s.NATS_URL,
      eventsPrefix: s.EVENTS_PREFIX,
      natsAuth: { user: s.NATS_USER, password: s.NATS_PASSWORD, token: s.NATS_TOKEN, credsFile: s.NATS_CREDS_FILE },
      natsTls: { caFile: s.NATS_TLS_CA_FILE, certFile: s.NATS_TLS_CERT_FILE, keyFile: s.NATS_TLS_KEY_FILE },
    };
  },
);
