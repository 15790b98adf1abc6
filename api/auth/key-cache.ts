import { decodeJwt } from 'jose';
import type { Principal } from './principal.ts';

export type VerifyApiKey = (key: string) => Promise<Principal | null>;

export interface KeyCacheOptions {
  /** How long a verified key is believed; also the longest a revocation or expiry goes unseen. */
  ttlMs: number;
  /** Keys kept at most; the least recently verified goes first. */
  size: number;
  now?: () => number;
  /** When a credential stops being valid by itself (a token's expiry), in ms since the epoch. */
  notAfter?: (credential: string) => number;
}

/**
 * Keeps keys that verified for `ttlMs`, so a busy client costs one lookup per interval rather than
 * one per request. Only keys that verified are kept: an unknown or revoked key is asked about every
 * time, and a new key works at once. Keys are revoked from another process (`npm run keys`), so
 * a revocation takes effect here within `ttlMs`. Requests for the same key while it is being
 * looked up share the lookup.
 */
export function cachedKeyVerifier(verify: VerifyApiKey, options: KeyCacheOptions): VerifyApiKey {
  if (options.ttlMs <= 0) return verify;
  const now = options.now ?? Date.now;
  const kept = new Map<string, { principal: Principal; until: number }>();
  const pending = new Map<string, Promise<Principal | null>>();

  const lookUp = async (key: string) => {
    try {
      const principal = await verify(key);
      if (principal) {
        kept.delete(key);
        if (kept.size >= options.size) kept.delete(kept.keys().next().value as string);
        const until = Math.min(now() + options.ttlMs, options.notAfter?.(key) ?? Infinity);
        kept.set(key, { principal, until });
      }
      return principal;
    } finally {
      pending.delete(key);
    }
  };

  return (key) => {
    const entry = kept.get(key);
    if (entry && entry.until > now()) return Promise.resolve(entry.principal);
    if (entry) kept.delete(key);
    let lookup = pending.get(key);
    if (!lookup) {
      lookup = lookUp(key);
      pending.set(key, lookup);
    }
    return lookup;
  };
}

/**
 * The same for OpenID Connect access tokens, each kept no longer than its `exp`. Tokens are checked
 * against the issuer's keys, not asked about, so keeping one changes nothing about when it is
 * refused: it saves the signature check of every request after the first.
 */
export const cachedTokenVerifier = (verify: VerifyApiKey, options: KeyCacheOptions) =>
  cachedKeyVerifier(verify, { ...options, notAfter: tokenExpiry });

/** A verified token's expiry; one without `exp` is kept for the cache's interval. */
function tokenExpiry(token: string): number {
  const { exp } = decodeJwt(token);
  return typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY;
}
