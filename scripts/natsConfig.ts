import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { natsSettings } from '../platform/events/natsSettings';
import { renderNatsServerConfig } from '../platform/events/natsServerConfig';

/**
 * The nats-server configuration files rendered from platform/events/natsPermissions.ts and
 * committed: compose's NATS reads one, the chart's bundled NATS the other (with the chart's
 * eventsPrefix put in for the placeholder). test/deploy/natsConfig.test.ts fails when they differ
 * from what the declaration renders.
 */
const ROOT = path.resolve(__dirname, '..', ...(path.basename(path.dirname(__dirname)) === 'dist' ? ['..'] : []));

/** What the chart's template replaces with .Values.eventsPrefix. */
export const CHART_PREFIX_PLACEHOLDER = '__EVENTS_PREFIX__';
/** Compose runs one namespace (its services' EVENTS_PREFIX). */
export const COMPOSE_EVENTS_PREFIX = 'supergraph';

export function natsConfigFiles(): Record<string, string> {
  return {
    'docker/nats/authorization.conf': renderNatsServerConfig(COMPOSE_EVENTS_PREFIX),
    'helm/supergraph/files/nats-authorization.conf': renderNatsServerConfig(CHART_PREFIX_PLACEHOLDER),
  };
}

const USAGE = `usage: npm run nats:config -- [--write]
  prints the nats-server authorization block (a user per service, with its permissions) for
  EVENTS_PREFIX, for a NATS you run yourself: each user's password comes from the server's
  environment variable NATS_PASSWORD_<USER> (letters and digits, starting with a letter).
  --write   regenerates ${Object.keys(natsConfigFiles()).join(' and ')}`;

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.some((arg) => arg !== '--write')) {
    console.error(USAGE);
    process.exitCode = args.includes('--help') ? 0 : 2;
  } else if (args.includes('--write')) {
    for (const [file, content] of Object.entries(natsConfigFiles())) {
      writeFileSync(path.join(ROOT, file), content);
      console.log(`wrote ${file}`);
    }
  } else {
    process.stdout.write(renderNatsServerConfig(natsSettings.read(process.env).eventsPrefix));
  }
}
