import path from 'node:path';
import { integer, text } from '../platform/settings/setting';
import { settingsGroup } from '../platform/settings/settingsGroup';

/** What the gateway serves and how it stops. */
export const gatewaySettings = settingsGroup(
  'gateway',
  ['gateway'],
  {
    SUPERGRAPH_PATH: text({
      default: 'schema/supergraph.graphql',
      description: 'the composed supergraph the gateway serves; it reloads the file when it changes',
    }),
    SHUTDOWN_DELAY_MS: integer({
      default: 0,
      min: 0,
      description: 'after SIGTERM, how long `/ready` answers 503 while requests are still served (chart: `5000`)',
    }),
  },
  (s) => ({ supergraphPath: path.resolve(s.SUPERGRAPH_PATH), shutdownDelayMs: s.SHUTDOWN_DELAY_MS }),
);
