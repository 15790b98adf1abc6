import { loadConfig } from '../../infra/config.ts';

/** The password of every demo user of the local realm (infra/stack/keycloak/docstream-realm.json). */
export const DEMO_PASSWORD = 'docstream-demo';
/** The local realm's client for people, and its machine client of clinic-a with its demo secret. */
export const CLI_CLIENT_ID = 'docstream-cli';
export const MACHINE_A = {
  clientId: 'docstream-machine-a',
  secret: 'docstream-machine-a-demo-secret',
};

interface Discovery {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** Where tokens come from: OIDC_ISSUER, or the docstream realm on KEYCLOAK_URL when OIDC is off. */
export function issuerUrl(env: Record<string, string | undefined> = process.env): string {
  const { issuer } = loadConfig(env).oidc;
  if (issuer) return issuer;
  return `${(env.KEYCLOAK_URL || 'http://127.0.0.1:8180').replace(/\/$/, '')}/realms/docstream`;
}

const discoveries = new Map<string, Promise<Discovery>>();

/** The issuer's OpenID Connect discovery document, fetched once per issuer. */
export function discover(issuer = issuerUrl()): Promise<Discovery> {
  let found = discoveries.get(issuer);
  if (!found) {
    found = fetchDiscovery(issuer);
    found.catch(() => discoveries.delete(issuer));
    discoveries.set(issuer, found);
  }
  return found;
}

async function fetchDiscovery(issuer: string): Promise<Discovery> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as Discovery;
}

/** A person's access token, from the password grant of the public client. */
export function signIn(username: string, password: string): Promise<string> {
  return token(`sign-in of ${username}`, {
    grant_type: 'password',
    client_id: CLI_CLIENT_ID,
    username,
    password,
  });
}

/** A machine client's access token, from the client credentials grant. */
export function signInMachine(clientId: string, secret: string): Promise<string> {
  return token(`sign-in of ${clientId}`, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
  });
}

async function token(what: string, form: Record<string, string>): Promise<string> {
  const { token_endpoint } = await discover();
  const response = await fetch(token_endpoint, { method: 'POST', body: new URLSearchParams(form) });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    const reason = [body.error, body.error_description && `(${body.error_description})`];
    throw new Error(`${what} refused: ${response.status} ${reason.filter(Boolean).join(' ')}`);
  }
  return body.access_token;
}
