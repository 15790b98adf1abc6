import { credential, signOut } from './auth.js';

/** An answer the API refused, with its stable code. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `the API answered ${status}`);
    this.status = status;
    this.code = body?.code ?? null;
  }
}

/** Calls the JSON API with the person's credential; a refused credential signs them out. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { authorization: `Bearer ${credential()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw refusal(response.status, answer);
  return answer;
}

/**
 * An image the API serves, as an object URL for an <img>: the element itself cannot send the
 * credential. The caller revokes the URL when the image is no longer shown.
 */
export async function apiImage(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${credential()}` } });
  if (!response.ok) throw refusal(response.status, await response.json().catch(() => null));
  return URL.createObjectURL(await response.blob());
}

function refusal(status, answer) {
  if (status === 401) signOut();
  return new ApiError(status, answer);
}
