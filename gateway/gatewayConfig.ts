import { loadCommonConfig, type CommonConfig, type Env } from '../platform/config';
import { gatewaySettings } from './gatewaySettings';
import { corsSettings } from './http/corsSettings';
import { limitSettings } from './limits/limitSettings';
import { persistedOperationSettings } from './persistedOperations/persistedOperationSettings';
import { rateLimitSettings } from './rateLimits/rateLimitSettings';
import { subgraphCallSettings } from './subgraphClient/subgraphCallSettings';
import { subscriptionSettings } from './subscriptions/subscriptionSettings';

/** The gateway's own settings groups, each declared next to the code that uses it. */
export const GATEWAY_SETTINGS = [
  gatewaySettings,
  subgraphCallSettings,
  limitSettings,
  rateLimitSettings,
  corsSettings,
  persistedOperationSettings,
  subscriptionSettings,
] as const;

export type GatewayConfig = CommonConfig & { port: number } & ReturnType<typeof gatewaySettings.read> &
  ReturnType<typeof subgraphCallSettings.read> &
  ReturnType<typeof limitSettings.read> &
  ReturnType<typeof rateLimitSettings.read> &
  ReturnType<typeof corsSettings.read> &
  ReturnType<typeof persistedOperationSettings.read> &
  ReturnType<typeof subscriptionSettings.read>;

export function loadGatewayConfig(env: Env): GatewayConfig {
  const common = loadCommonConfig(env);
  return {
    ...common,
    port: common.ports.gateway,
    ...gatewaySettings.read(env),
    ...subgraphCallSettings.read(env),
    ...limitSettings.read(env),
    ...rateLimitSettings.read(env),
    ...corsSettings.read(env),
    ...persistedOperationSettings.read(env),
    ...subscriptionSettings.read(env),
  };
}
