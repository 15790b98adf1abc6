import * as oauth from '/app/vendor/oauth4webapi.js';

const TOKEN = 'docstream.credential';
const PENDING = 'docstream.sign-in';
const redirectUri = () => `${location.origin}/app/`;

/** The credential of this tab: an access token or an API key, never kept past the tab. */
export const credential = () => sessionStorage.getItem(TOKEN);

export function signOut() {
  sessionStorage.removeItem(TOKEN);
}

export function useApiKey(key) {
  sessionStorage.setItem(TOKEN, key.trim());
}

/** Who the credential names, read from an access token's claims (an API key names no one). */
export function whoAmI() {
  const value = credential();
  if (!value || value.startsWith('dsk_')) return value ? { name: 'API key', roles: [] } : null;
  try {
    const payload = value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload));
    return {
      name: claims.preferred_username ?? claims.sub,
      tenant: claims.tenant,
      roles: claims.roles ?? [],
    };
  } catch {
    return { name: 'signed in', roles: [] };
  }
}

// Plain HTTP is accepted for an issuer on this machine only (the local stack).
const insecureOk = (issuer) =>
  issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);

async function authorizationServer(config) {
  const issuer = new URL(config.issuer);
  const options = { [oauth.allowInsecureRequests]: insecureOk(issuer) };
  const response = await oauth.discoveryRequest(issuer, options);
  return { as: await oauth.processDiscoveryResponse(issuer, response), options };
}

/** Sends the browser to the issuer's sign-in page: authorization code with PKCE (S256). */
export async function startSignIn(config) {
  const { as } = await authorizationServer(config);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, hash: location.hash }));
  const url = new URL(/** @type {string} */ (as.authorization_endpoint));
  url.search = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: 'openid',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  }).toString();
  location.assign(url);
}

/**
 * Completes a sign-in when the issuer has sent the browser back with a code; answers whether it
 * did. The code is exchanged for tokens here, with the verifier only this tab holds.
 */
export async function finishSignIn(config) {
  const here = new URL(location.href);
  if (!here.searchParams.has('code') && !here.searchParams.has('error')) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `/app/${pending?.hash ?? ''}`);
  if (!pending) throw new Error('a sign-in came back that this tab did not start');
  const { as, options } = await authorizationServer(config);
  const client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, here, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    options,
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  sessionStorage.setItem(TOKEN, result.access_token);
  return true;
}
