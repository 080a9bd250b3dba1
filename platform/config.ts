import { tokenSettings } from './auth/tokenSettings';
import { databaseSettings, type SessionTimeouts } from './db/databaseSettings';
import { eventSettings, type EventSettings } from './events/eventSettings';
import { natsSettings } from './events/natsSettings';
import { peerSettingsGroup, type PeerUrls } from './http/peerSettings';
import type { SubgraphName } from './serviceNames';
import { serviceSettings } from './serviceSettings';
import type { Env } from './settings/settingsGroup';

export { GATEWAY_DEFAULT_PORT, SUBGRAPHS, SUBGRAPH_NAMES, type SubgraphName } from './serviceNames';
export { ConfigError, type Env } from './settings/settingsGroup';
export type { PeerUrls } from './http/peerSettings';

/**
 * Composes the settings groups each module declares next to its code (every *Settings.ts). A group
 * knows its variables, defaults and ranges; this file only says which services read which groups.
 */
export const COMMON_SETTINGS = [serviceSettings, peerSettingsGroup, tokenSettings, natsSettings] as const;
export const SUBGRAPH_SETTINGS = [databaseSettings, eventSettings] as const;

export type CommonConfig = ReturnType<typeof serviceSettings.read> &
  PeerUrls &
  ReturnType<typeof tokenSettings.read> &
  ReturnType<typeof natsSettings.read>;

export function loadCommonConfig(env: Env): CommonConfig {
  return {
    ...serviceSettings.read(env),
    ...peerSettingsGroup.read(env),
    ...tokenSettings.read(env),
    ...natsSettings.read(env),
  };
}

export interface SubgraphConfig extends CommonConfig, EventSettings {
  name: SubgraphName;
  port: number;
  databaseUrl: string;
  databaseName: string;
  /** Connections of the service's Postgres pool. */
  dbPoolSize: number;
  dbTimeouts: SessionTimeouts;
}

/** What every subgraph reads; its own groups (SubgraphDefinition.settings) come on top. */
export function loadSubgraphConfig(name: SubgraphName, env: Env): SubgraphConfig {
  const common = loadCommonConfig(env);
  const database = databaseSettings.read(env);
  return {
    ...common,
    ...eventSettings.read(env),
    name,
    port: common.ports[name],
    databaseUrl: database.databaseUrl,
    databaseName: `${database.databasePrefix}_${name}`,
    dbPoolSize: database.dbPoolSize,
    dbTimeouts: database.dbTimeouts,
  };
}
