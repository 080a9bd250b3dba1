import { decodeJwt } from 'jose';
import type { UserIdentity } from '../../platform/auth/identity';
import type { UserTokenVerifier } from '../../platform/auth/userTokens';
import { bearerToken } from '../../platform/http/graphqlEndpoint';

export interface Subscriber {
  user?: UserIdentity;
  /** When the token expires: the subscriber's streams end then. */
  expiresAtMs?: number;
}

/** Who subscribes: the user JWT of an `Authorization` value ("Bearer <jwt>", or the bare token over WebSocket). */
export class SubscriberAuth {
  constructor(private readonly users: UserTokenVerifier) {}

  async fromHeader(value: string | undefined): Promise<Subscriber> {
    if (value === undefined) return {};
    const token = /^bearer\s/i.test(value) ? bearerToken(value) : value;
    if (token === undefined) return {};
    const user = await this.users.verify(token);
    return { user, expiresAtMs: expiryOf(token) };
  }

  /** When an `Authorization` header's token expires, for a request /graphql's authentication step already verified. */
  expiryOfVerified(header: string | undefined): number | undefined {
    const token = bearerToken(header);
    return token === undefined ? undefined : expiryOf(token);
  }
}

/** Only for a verified token: then its exp is the one the signature covers. */
function expiryOf(token: string): number | undefined {
  const exp = decodeJwt(token).exp;
  return exp === undefined ? undefined : exp * 1000;
}
