import { GATEWAY_SETTINGS } from '../gateway/gatewayConfig';
import { COMMON_SETTINGS, SUBGRAPH_SETTINGS } from '../platform/config';
import type { SettingsGroup } from '../platform/settings/settingsGroup';
import { tracingSettings } from '../platform/tracing/tracingSettings';
import { devSettings } from './devSettings';
import { harnessSettings } from './harnessSettings';
import { loadOrdersSettings } from './loadOrdersSettings';
import { provisioningSettings } from './provisioningSettings';
import { subgraphDefinitions } from './subgraphDefinitions';

/** Each subgraph's own group, as its definition declares it. */
const SUBGRAPH_OWN_SETTINGS = Object.values(subgraphDefinitions).flatMap((definition) =>
  definition.settings ? [definition.settings] : [],
);

/** Every settings group of every process, in the README's order: what the README's tables are rendered from. */
export const SETTINGS_CATALOG: readonly SettingsGroup<unknown>[] = [
  ...COMMON_SETTINGS,
  tracingSettings,
  ...SUBGRAPH_SETTINGS,
  provisioningSettings,
  ...SUBGRAPH_OWN_SETTINGS,
  ...GATEWAY_SETTINGS,
  devSettings,
  loadOrdersSettings,
  harnessSettings,
];
