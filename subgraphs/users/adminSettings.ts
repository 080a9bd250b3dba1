import { serviceSettings } from '../../platform/serviceSettings';
import { email, optionalText } from '../../platform/settings/setting';
import { ConfigError, settingsGroup, type Env } from '../../platform/settings/settingsGroup';
import { BadUserInputError } from '../../platform/errors';
import { PASSWORD_MIN_LENGTH, checkPasswordLength } from './domain/accountRules';

/**
 * The ADMIN password the README documents for development: `npm start` (scripts/devSettings.ts)
 * and docker/compose.yml pass it when ADMIN_PASSWORD is unset. Anyone who read the README knows it.
 */
export const DEV_ADMIN_PASSWORD = 'admin-dev-password';

/** The shop's first ADMIN, which users creates on start when a password is given. */
export const adminSettings = settingsGroup(
  'admin',
  ['users'],
  {
    ADMIN_EMAIL: email({
      default: 'admin@example.com',
      description: 'e-mail of the ADMIN account users creates on start',
    }),
    ADMIN_PASSWORD: optionalText({
      minLength: PASSWORD_MIN_LENGTH,
      description: `its password, within the account rules; unset = no ADMIN account is created (\`npm start\`: \`${DEV_ADMIN_PASSWORD}\`, refused in production)`,
    }),
  },
  (s, env) => ({
    admin: s.ADMIN_PASSWORD
      ? { email: s.ADMIN_EMAIL.toLowerCase(), password: checkedPassword(s.ADMIN_PASSWORD, env) }
      : undefined,
  }),
);

/** Refused before the service opens a connection: the same rules as a sign-up, and never the published one in production. */
function checkedPassword(password: string, env: Env): string {
  try {
    checkPasswordLength(password);
  } catch (error) {
    if (error instanceof BadUserInputError) throw new ConfigError(`invalid setting ADMIN_PASSWORD: ${error.message}`);
    throw error;
  }
  if (password === DEV_ADMIN_PASSWORD && serviceSettings.read(env).production) {
    throw new ConfigError(
      'invalid setting ADMIN_PASSWORD: the development password from the README is refused in production; choose another',
    );
  }
  return password;
}
