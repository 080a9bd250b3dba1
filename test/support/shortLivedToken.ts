import { decodeJwt } from 'jose';
import { loadSigningKey } from '../../platform/auth/signingKey';
import { UserTokenIssuer } from '../../platform/auth/userTokens';
import type { CommonConfig } from '../../platform/config';
import type { Supergraph } from './supergraph';

/**
 * A real user token, signed with the users service's own key (its dev key
 * under DATA_DIR), for the same user as `token`, but valid only `seconds`:
 * what a session looks like just before it expires.
 */
export async function shortLivedToken(sg: Supergraph, token: string, seconds: number): Promise<string> {
  const key = await loadSigningKey('users', { dataDir: sg.env.DATA_DIR } as CommonConfig);
  const claims = decodeJwt(token);
  const issuer = new UserTokenIssuer(key, {
    issuer: 'supergraph-users',
    audience: 'supergraph',
    lifetimeSeconds: seconds,
  });
  return (await issuer.issue({ id: claims.sub!, role: claims.role as 'CUSTOMER' | 'ADMIN' })).token;
}
