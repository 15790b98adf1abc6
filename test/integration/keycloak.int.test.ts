import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.ts';
import { DEMO_PASSWORD, discover, MACHINE_A, signIn, signInMachine } from '../support/oidc.ts';

const { oidc } = loadConfig();
const roles = ['uploader', 'reader', 'reviewer', 'auditor', 'admin'];
const demoUsers = [
  { suffix: 'a', tenant: 'clinic-a' },
  { suffix: 'b', tenant: 'clinic-b' },
].flatMap(({ suffix, tenant }) =>
  roles.map((role) => ({ username: `${role}-${suffix}`, tenant, role })),
);

describe.skipIf(!oidc.issuer)('the local Keycloak realm', () => {
  let verify: (token: string, audience?: string) => Promise<JWTPayload>;

  beforeAll(async () => {
    const discovery = await discover(oidc.issuer);
    expect(discovery.issuer).toBe(oidc.issuer);
    const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
    verify = async (token, audience = oidc.audience) =>
      (await jwtVerify(token, keys, { issuer: oidc.issuer, audience })).payload;
  });

  it.each(demoUsers)(
    'signs in $username with a token for the API naming tenant $tenant and role $role',
    async ({ username, tenant, role }) => {
      const claims = await verify(await signIn(username, DEMO_PASSWORD));
      expect(claims.preferred_username).toBe(username);
      expect(claims[oidc.tenantClaim]).toBe(tenant);
      expect(claims[oidc.rolesClaim]).toEqual([role]);
    },
  );

  it('signs in the machine client of clinic-a with client credentials', async () => {
    const claims = await verify(await signInMachine(MACHINE_A.clientId, MACHINE_A.secret));
    expect(claims.azp).toBe(MACHINE_A.clientId);
    expect(claims[oidc.tenantClaim]).toBe('clinic-a');
    expect([...(claims[oidc.rolesClaim] as string[])].sort()).toEqual(['reader', 'uploader']);
  });

  it('refuses a wrong password and a wrong client secret', async () => {
    await expect(signIn('reader-a', `${DEMO_PASSWORD}-wrong`)).rejects.toThrow(/400 invalid_grant/);
    await expect(signIn('nobody-a', DEMO_PASSWORD)).rejects.toThrow(/400 invalid_grant/);
    await expect(signInMachine(MACHINE_A.clientId, 'not-the-secret')).rejects.toThrow(
      /401 unauthorized_client/,
    );
  });

  it('issues tokens that do not verify for another audience, or once tampered with', async () => {
    const token = await signIn('reader-b', DEMO_PASSWORD);
    await expect(verify(token, 'another-api')).rejects.toThrow(/aud/);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(
      JSON.stringify({ ...claims, [oidc.tenantClaim]: 'clinic-a' }),
    ).toString('base64url');
    await expect(verify(`${header}.${forged}.${signature}`)).rejects.toThrow(/signature/);
  });
});
