import { ServiceTokenSigner } from '../../platform/auth/serviceTokens';
import { loadSigningKey } from '../../platform/auth/signingKey';
import { loadGatewayConfig } from '../../gateway/gatewayConfig';

/**
 * How the baseline gateways reach our subgraphs: like our gateway, with a
 * service token per subgraph signed with the gateway's key (SIGNING_KEY_FILE),
 * acting for the benchmark's user (BENCH_USER_ID). The baselines verify no
 * user token: they act for that one user whatever the client sends.
 */
export async function baselineTokens(env: NodeJS.ProcessEnv): Promise<(subgraph: string) => Promise<string>> {
  const userId = env.BENCH_USER_ID;
  if (!userId) throw new Error('BENCH_USER_ID is required');
  const key = await loadSigningKey('gateway', loadGatewayConfig(env));
  const signer = new ServiceTokenSigner('gateway', key);
  const user = { id: userId, role: 'CUSTOMER' as const };
  return (subgraph) => signer.sign({ audience: subgraph, scopes: ['*'], user });
}
