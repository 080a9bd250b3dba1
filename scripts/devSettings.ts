import { databaseSettings } from '../platform/db/databaseSettings';
import { natsSettings } from '../platform/events/natsSettings';
import { peerSettingsGroup } from '../platform/http/peerSettings';
import { serviceSettings } from '../platform/serviceSettings';
import { port } from '../platform/settings/setting';
import { settingsGroup, type Env } from '../platform/settings/settingsGroup';
import { adminSettings } from '../subgraphs/users/adminSettings';

/** The ADMIN a fresh clone gets when ADMIN_EMAIL / ADMIN_PASSWORD are unset (see README). */
export const DEV_ADMIN = { email: 'admin@example.com', password: 'admin-dev-password' };

/** What only `npm start` reads: the rest it reads with the services' own declarations. */
export const devSettings = settingsGroup(
  'dev',
  ['npm start'],
  {
    EMBEDDED_POSTGRES_PORT: port({
      default: 54329,
      description: 'port of the embedded Postgres `npm start` runs when `DATABASE_URL` is unset',
    }),
  },
  (s) => ({ embeddedPostgresPort: s.EMBEDDED_POSTGRES_PORT }),
);

/** What `npm start` reads from its environment, once. */
export function readDevConfig(env: Env) {
  // Dev defaults, so that a fresh clone has an ADMIN to log in with (see README).
  const admin = adminSettings.read({ ADMIN_PASSWORD: DEV_ADMIN.password, ...env }).admin ?? DEV_ADMIN;
  return {
    ...devSettings.read(env),
    dataDir: serviceSettings.read(env).dataDir,
    // Unset: run the embedded Postgres.
    databaseUrl: env.DATABASE_URL ? databaseSettings.read(env).databaseUrl : undefined,
    // Checked as the subgraphs check it; the embedded server's URL is not known yet, any URL will do.
    databasePrefix: databaseSettings.read({ ...env, DATABASE_URL: env.DATABASE_URL || 'postgres://127.0.0.1/' })
      .databasePrefix,
    natsUrl: natsSettings.read(env).natsUrl,
    // The namespace npm start's own nats-server grants each service (natsPermissions.ts).
    eventsPrefix: natsSettings.read(env).eventsPrefix,
    ports: peerSettingsGroup.read(env).ports,
    admin,
  };
}

export type DevConfig = ReturnType<typeof readDevConfig>;
