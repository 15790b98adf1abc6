import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { type Principal, principal } from './principal.ts';

export interface OidcSettings {
  /** The issuer URL; its discovery document names the signing keys. */
  issuer: string;
  audience: string;
  /** Claims that carry the tenant and the roles. */
  tenantClaim: string;
  rolesClaim: string;
}

/** Verifies a bearer token (JWT) against the issuer's keys; null when it does not hold. */
export type TokenVerifier = (token: string) => Promise<Principal | null>;

export function createOidcVerifier(settings: OidcSettings): TokenVerifier {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | null = null;
  const discover = async () => {
    const response = await fetch(`${settings.issuer}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
    const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: string };
    if (!jwksUri) throw new Error('OIDC discovery names no jwks_uri');
    return createRemoteJWKSet(new URL(jwksUri));
  };
  const jwks = () => {
    // A failed discovery is tried again on the next request rather than remembered.
    keys ??= discover().catch((error: unknown) => {
      keys = null;
      throw error;
    });
    return keys;
  };

  return async (token) => {
    // An issuer that cannot be reached is an outage, not a bad token: that error propagates.
    const keySet = await jwks();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: settings.issuer,
        audience: settings.audience,
      }));
    } catch {
      return null;
    }
    const tenant = payload[settings.tenantClaim];
    const roles = payload[settings.rolesClaim];
    if (typeof payload.sub !== 'string' || typeof tenant !== 'string') return null;
    return principal(
      'user',
      payload.sub,
      tenant,
      Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
    );
  };
}
