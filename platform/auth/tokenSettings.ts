import { SERVICE_NAMES } from '../serviceNames';
import { optionalText, text } from '../settings/setting';
import { settingsGroup } from '../settings/settingsGroup';

/** The user tokens' claims and this service's own signing key. */
export const tokenSettings = settingsGroup(
  'tokens',
  SERVICE_NAMES,
  {
    JWT_ISSUER: text({ default: 'supergraph-users', description: '`iss` of user tokens, checked by the gateway' }),
    JWT_AUDIENCE: text({ default: 'supergraph', description: '`aud` of user tokens, checked by the gateway' }),
    SIGNING_KEY: optionalText({
      description:
        "the service's ES256 private key (PKCS#8 PEM); required in production (this or `SIGNING_KEY_FILE`); dev generates one under `DATA_DIR/keys`",
    }),
    SIGNING_KEY_FILE: optionalText({ description: 'a file holding `SIGNING_KEY`' }),
  },
  (s) => ({
    jwt: { issuer: s.JWT_ISSUER, audience: s.JWT_AUDIENCE },
    signingKeyPem: s.SIGNING_KEY,
    signingKeyFile: s.SIGNING_KEY_FILE,
  }),
);
