import { SERVICE_NAMES } from '../serviceNames';
import { text } from '../settings/setting';
import { settingsGroup } from '../settings/settingsGroup';

export interface NatsSettings {
  natsUrl: string;
  /** Namespace of every stream and subject (naming.ts), so deployments and test runs sharing a server never meet. */
  eventsPrefix: string;
}

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
      description: 'NATS with JetStream (comma-separated: a cluster)',
    }),
    EVENTS_PREFIX: text({
      default: 'supergraph',
      pattern: { regex: /^[A-Za-z0-9_-]+$/, allows: 'letters, digits, _ and - only' },
      description: 'namespace of streams and subjects',
    }),
  },
  (s): NatsSettings => ({ natsUrl: s.NATS_URL, eventsPrefix: s.EVENTS_PREFIX }),
);
