import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { AppError, ServiceUnavailableError, UnauthenticatedError } from '../errors';
import type { Role, UserIdentity } from './identity';
import { SIGNING_ALG, type SigningKey } from './signingKey';
import { VerifiedTokens } from './VerifiedTokens';

const USER_TOKEN_TYPE = 'at+jwt';

export interface UserTokenSettings {
  issuer: string;
  audience: string;
  lifetimeSeconds: number;
}

/** Issues the JWT a user gets from signUp/logIn (users subgraph). */
export class UserTokenIssuer {
  constructor(
    private readonly key: SigningKey,
    private readonly settings: UserTokenSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(user: UserIdentity): Promise<{ token: string; expiresAt: Date }> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const exp = nowSeconds + this.settings.lifetimeSeconds;
    const token = await new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.key.kid, typ: USER_TOKEN_TYPE })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(user.id)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds)
      .setExpirationTime(exp)
      .sign(this.key.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }
}

/** Verifies a user's bearer token at the gateway against the users service's JWKS. */
export class UserTokenVerifier {
  private readonly keySet: JWTVerifyGetKey;
  private readonly verified = new VerifiedTokens<UserIdentity>();

  constructor(
    jwksUrl: string,
    private readonly settings: Pick<UserTokenSettings, 'issuer' | 'audience'>,
  ) {
    this.keySet = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 });
  }

  async verify(token: string): Promise<UserIdentity> {
    const known = this.verified.get(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        algorithms: [SIGNING_ALG],
        typ: USER_TOKEN_TYPE,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['sub', 'exp', 'nbf', 'iat'],
        clockTolerance: 5,
      });
      const role = payload.role as Role;
      if (typeof payload.sub !== 'string' || (role !== 'CUSTOMER' && role !== 'ADMIN')) {
        throw new UnauthenticatedError('Invalid token');
      }
      const user = { id: payload.sub, role };
      this.verified.remember(token, user, payload.exp!);
      return user;
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('Token expired');
      // The keys could not be fetched: that is our outage, not the user's bad token.
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new ServiceUnavailableError('Cannot verify tokens right now, try again shortly');
      }
      throw new UnauthenticatedError('Invalid token');
    }
  }
}
