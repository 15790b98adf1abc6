import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcVerifier } from '../../api/auth/oidc.ts';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { DEMO_PASSWORD, MACHINE_A, signIn, signInMachine } from '../support/oidc.ts';

const subjectOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).sub as string;

/** People sign in through the local Keycloak; the API takes tenant and roles from the token. */
describe('signing in with OpenID Connect', () => {
  let env: TestEnvironment;
  let system: System;
  let url: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    system = await startSystem(env.config, createLogger('warn'));
    url = system.url as string;
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it("uploads as a person's token, records them as the actor, and keeps each tenant to itself", async () => {
    const uploader = await signIn('uploader-a', DEMO_PASSWORD);
    const uploaded = await apiClient(url, 'clinic-a', uploader).upload(
      Buffer.from('NOTA DE EVOLUCION\nPaciente estable.\n'),
      'nota.txt',
    );
    const auditor = apiClient(url, 'clinic-a', await signIn('auditor-a', DEMO_PASSWORD));
    const history = await eventually(async () => {
      const { status, body } = await auditor.history(uploaded.documentId);
      expect(status).toBe(200);
      return body.events as Array<{ type: string; actor: string }>;
    });
    expect(history.find((e) => e.type === 'DocumentUploaded')?.actor).toBe(
      `user:${subjectOf(uploader)}`,
    );

    const readerA = await signIn('reader-a', DEMO_PASSWORD);
    const readerB = await signIn('reader-b', DEMO_PASSWORD);
    const read = (token: string) =>
      fetch(`${url}/documents/${uploaded.documentId}`, { headers: bearer(token) });
    await eventually(async () => expect((await read(readerA)).status).toBe(200));
    expect((await read(readerB)).status).toBe(404);
    // An uploader may not read; a reader may not upload.
    expect((await read(uploader)).status).toBe(403);
    const form = new FormData();
    form.append('file', new Blob([new TextEncoder().encode('x\n')]), 'x.txt');
    const refused = await fetch(`${url}/documents`, {
      method: 'POST',
      headers: bearer(readerA),
      body: form,
    });
    expect(refused.status).toBe(403);
  });

  it("takes a machine's client-credentials token as its tenant and roles say", async () => {
    const machine = await signInMachine(MACHINE_A.clientId, MACHINE_A.secret);
    const listed = await fetch(`${url}/documents`, { headers: bearer(machine) });
    expect(listed.status).toBe(200);
    const mismatch = await fetch(`${url}/documents?tenantId=clinic-b`, {
      headers: bearer(machine),
    });
    expect(mismatch.status).toBe(403);
  });

  it('refuses a token that was tampered with, or one from another issuer', async () => {
    const token = await signIn('admin-a', DEMO_PASSWORD);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, tenant: 'clinic-b' })).toString('base64url')}.${signature}`;
    const answer = await fetch(`${url}/documents`, { headers: bearer(forged) });
    expect(answer.status).toBe(401);
    expect((await answer.json()).code).toBe('CREDENTIALS_INVALID');

    // The same token, checked by a verifier that trusts another realm of the same server.
    const otherRealm = createOidcVerifier({
      ...env.config.oidc,
      issuer: env.config.oidc.issuer.replace(/\/realms\/[^/]+$/, '/realms/master'),
    });
    expect(await otherRealm(token)).toBeNull();
    expect(await createOidcVerifier(env.config.oidc)(token)).toMatchObject({
      tenantId: 'clinic-a',
      actor: `user:${subjectOf(token)}`,
    });
  });
});
