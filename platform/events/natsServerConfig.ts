import { randomBytes } from 'node:crypto';
import { NATS_USERS, natsPermissions, type NatsUser, type SubjectRules } from './natsPermissions';

/**
 * The nats-server configuration of the per-service users (natsPermissions.ts), for every NATS the
 * project runs: npm start's (scripts/natsServer.ts), the test harness's, compose's and the chart's.
 * Passwords are never in it: each is `$NATS_PASSWORD_<USER>`, which nats-server reads from its
 * environment, so the file can sit in a ConfigMap or the repository and the passwords in a Secret.
 */

/** The environment variable nats-server reads `user`'s password from. */
export function natsPasswordVariable(user: NatsUser): string {
  return `NATS_PASSWORD_${user.toUpperCase()}`;
}

/**
 * A password for a generated user: letters and digits, led by a letter. nats-server parses the
 * value of a `$VAR` it takes from its environment as a config value, so `9e1f…` would be read as a
 * number and `true` as a flag; a password you choose must keep to that shape too.
 */
export function generateNatsPassword(): string {
  return `n${randomBytes(24).toString('hex')}`;
}

export interface NatsServerTls {
  certFile: string;
  keyFile: string;
  /** Verifies client certificates against this CA when set. */
  caFile?: string;
}

export const NATS_CONFIG_HEADER =
  '# Generated from platform/events/natsPermissions.ts by `npm run nats:config`: do not edit by hand.';

/** The `authorization { users = [...] }` block for namespace `prefix` (EVENTS_PREFIX), and a `tls` block when given. */
export function renderNatsServerConfig(prefix: string, tls?: NatsServerTls): string {
  const users = NATS_USERS.map((user) => renderUser(prefix, user));
  const lines = [NATS_CONFIG_HEADER, 'authorization {', '  users = [', ...users, '  ]', '}'];
  return `${lines.join('\n')}\n${tls ? renderNatsTls(tls) : ''}`;
}

/** nats-server's `tls` block: TLS only on the client port, client certificates verified when a CA is given. */
export function renderNatsTls(tls: NatsServerTls): string {
  const lines = [`  cert_file: ${JSON.stringify(tls.certFile)}`, `  key_file: ${JSON.stringify(tls.keyFile)}`];
  if (tls.caFile) lines.push(`  ca_file: ${JSON.stringify(tls.caFile)}`, '  verify: true');
  return `tls {\n${lines.join('\n')}\n}\n`;
}

function renderUser(prefix: string, user: NatsUser): string {
  const { publish, subscribe } = natsPermissions(prefix, user);
  return [
    '    {',
    `      user: ${JSON.stringify(user)}`,
    `      password: $${natsPasswordVariable(user)}`,
    '      permissions: {',
    `        publish: ${renderRules(publish, '        ')}`,
    `        subscribe: ${renderRules(subscribe, '        ')}`,
    '      }',
    '    }',
  ].join('\n');
}

function renderRules(rules: SubjectRules, indent: string): string {
  const parts = (['allow', 'deny'] as const)
    .filter((kind) => rules[kind])
    .map((kind) => {
      const subjects = rules[kind]!.map((subject) => `${indent}    ${JSON.stringify(subject)}`);
      return `${indent}  ${kind}: [\n${subjects.join('\n')}\n${indent}  ]`;
    });
  return `{\n${parts.join('\n')}\n${indent}}`;
}
