import { email, optionalText } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';

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
      minLength: 8,
      description: 'its password; unset = no ADMIN account is created (`npm start`: `admin-dev-password`)',
    }),
  },
  (s) => ({
    admin: s.ADMIN_PASSWORD ? { email: s.ADMIN_EMAIL.toLowerCase(), password: s.ADMIN_PASSWORD } : undefined,
  }),
);
