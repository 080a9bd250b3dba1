import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from '../errors';
import type { Caller, UserIdentity } from './identity';
import { SIGNING_ALG, type SigningKey } from './signingKey';
import { VerifiedTokens } from './VerifiedTokens';

/** JWT `typ` header of service tokens, so a user token can never pass for one. */
const SERVICE_TOKEN_TYPE = 'service+jwt';
const LIFETIME_SECONDS = 60;
/** Tokens are reused until this close to expiry, so signing is not per request. */
const REUSE_MARGIN_SECONDS = 15;

export interface ServiceTokenRequest {
  audience: string;
  scopes: string[];
  user?: UserIdentity;
}

/** Signs the short-lived tokens this service presents when it calls another. */
export class ServiceTokenSigner {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly service: string,
    private readonly key: SigningKey,
    private readonly now: () => number = Date.now,
  ) {}

  async sign(request: ServiceTokenRequest): Promise<string> {
    const cacheKey = `${request.audience}|${request.scopes.join(' ')}|${request.user?.id ?? ''}|${request.user?.role ?? ''}`;
    const nowSeconds = Math.floor(this.now() / 1000);
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt - REUSE_MARGIN_SECONDS > nowSeconds) return cached.token;

    const claims: Record<string, unknown> = { scope: request.scopes.join(' ') };
    if (request.user) claims.user = { id: request.user.id, role: request.user.role };
    const expiresAt = nowSeconds + LIFETIME_SECONDS;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.key.kid, typ: SERVICE_TOKEN_TYPE })
      .setIssuer(this.service)
      .setSubject(this.service)
      .setAudience(request.audience)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(expiresAt)
      .sign(this.key.privateKey);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { token, expiresAt });
    return token;
  }
}

export interface TrustedCaller {
  /** Where the caller publishes its public keys. */
  jwksUrl: string;
  /** Scopes this caller may hold; '*' for the gateway. */
  allowedScopes: string[];
  /** Only the gateway may act for a signed-in user. */
  mayActForUsers: boolean;
}

/**
 * Checks the token on every request to a subgraph: signature against the
 * caller's JWKS, audience = this service, the caller on the allow-list and
 * its scopes within what the allow-list grants.
 */
export class ServiceTokenVerifier {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();
  private readonly verified = new VerifiedTokens<Caller>();

  constructor(
    private readonly audience: string,
    private readonly trusted: Record<string, TrustedCaller>,
  ) {}

  async verify(token: string | undefined): Promise<Caller> {
    if (!token) throw new UnauthenticatedError('A service token is required');
    const known = this.verified.get(token);
    if (known) return known;
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new UnauthenticatedError('Malformed service token');
    }
    // Own properties only: an issuer named "constructor" must not find Object's.
    const trusted = issuer && Object.hasOwn(this.trusted, issuer) ? this.trusted[issuer] : undefined;
    if (!issuer || !trusted) throw new ForbiddenError('Caller is not allowed');

    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(issuer, trusted.jwksUrl), {
        algorithms: [SIGNING_ALG],
        typ: SERVICE_TOKEN_TYPE,
        issuer,
        subject: issuer,
        audience: this.audience,
        maxTokenAge: `${LIFETIME_SECONDS + 5}s`,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new ServiceUnavailableError(`Cannot fetch the keys of ${issuer}`);
      }
      throw new UnauthenticatedError('Invalid service token');
    }

    const scopes = typeof payload.scope === 'string' && payload.scope ? payload.scope.split(' ') : [];
    const allowed = trusted.allowedScopes;
    if (!allowed.includes('*') && !scopes.every((s) => allowed.includes(s))) {
      throw new ForbiddenError('Caller holds a scope it is not allowed');
    }
    const caller: Caller = { service: issuer, scopes };
    if (payload.user !== undefined) {
      if (!trusted.mayActForUsers) throw new ForbiddenError('Caller may not act for users');
      caller.user = parseUser(payload.user);
    }
    this.verified.remember(token, caller, payload.exp!);
    return caller;
  }

  private keySet(issuer: string, url: string): JWTVerifyGetKey {
    let set = this.keySets.get(issuer);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 });
      this.keySets.set(issuer, set);
    }
    return set;
  }
}

function parseUser(value: unknown): UserIdentity {
  const user = value as Partial<UserIdentity> | null;
  if (!user || typeof user.id !== 'string' || (user.role !== 'CUSTOMER' && user.role !== 'ADMIN')) {
    throw new UnauthenticatedError('Invalid service token');
  }
  return { id: user.id, role: user.role };
}

/** Whether the caller holds a scope (the gateway's '*' holds all). */
export function hasScope(caller: Caller, scope: string): boolean {
  return caller.scopes.includes('*') || caller.scopes.includes(scope);
}
