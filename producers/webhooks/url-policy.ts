import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { DocstreamError, invalid } from '../../infra/errors.ts';

/** Where webhooks may be sent. */
export interface UrlPolicy {
  /** Loopback, private and other non-public ranges allowed (local stacks and tests only). */
  allowPrivate: boolean;
}

/** Cloud instance metadata services: never a webhook's target, whatever the policy. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog']);
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);
/** Ranges refused even when private ones are allowed. */
const ALWAYS_FORBIDDEN = new Set(['linkLocal', 'unspecified', 'broadcast', 'multicast']);

export const urlForbidden = (message: string) =>
  new DocstreamError('invalid', 'WEBHOOK_URL_FORBIDDEN', message);

/** Why `address` may not be sent to, or null when it may. */
export function forbiddenAddress(address: string, policy: UrlPolicy): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address.
  const ip = ipaddr.process(address);
  const normal = ip.toNormalizedString();
  if (METADATA_ADDRESSES.has(normal) || METADATA_ADDRESSES.has(ip.toString())) {
    return `${address} is a cloud metadata address`;
  }
  const range = ip.range();
  if (ALWAYS_FORBIDDEN.has(range)) return `${address} is a ${range} address`;
  if (range !== 'unicast' && !policy.allowPrivate) return `${address} is a ${range} address`;
  return null;
}

/** The URL's host without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Parses a webhook URL: absolute, http(s), no credentials, not a metadata host. */
export function parseWebhookUrl(raw: string): URL {
  if (!URL.canParse(raw)) throw invalid('WEBHOOK_URL_INVALID', 'the webhook url is not a URL');
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('WEBHOOK_URL_INVALID', 'a webhook url is http or https');
  }
  if (url.username || url.password) {
    throw invalid('WEBHOOK_URL_INVALID', 'a webhook url carries no credentials');
  }
  if (METADATA_HOSTS.has(hostOf(url).toLowerCase().replace(/\.$/, ''))) {
    throw urlForbidden(`${url.hostname} is a cloud metadata host`);
  }
  return url;
}

/** Every address `host` resolves to. */
function resolveAll(host: string): Promise<string[]> {
  return dns.promises.lookup(host, { all: true }).then((all) => all.map((a) => a.address));
}

/**
 * Checks a URL at registration: its host, or every address the host resolves to now, must be
 * allowed. Delivery checks again at connect time (the name may resolve elsewhere by then).
 */
export async function checkWebhookUrl(
  raw: string,
  policy: UrlPolicy,
  resolve: (host: string) => Promise<string[]> = resolveAll,
): Promise<URL> {
  const url = parseWebhookUrl(raw);
  const host = hostOf(url);
  const addresses = ipaddr.isValid(host)
    ? [host]
    : await resolve(host).catch(() => {
        throw invalid('WEBHOOK_URL_INVALID', `the webhook host ${host} does not resolve`);
      });
  for (const address of addresses) {
    const reason = forbiddenAddress(address, policy);
    if (reason) throw urlForbidden(`the webhook host ${host} is not allowed: ${reason}`);
  }
  return url;
}

/** The error a connection to a forbidden address fails with. */
export class ForbiddenAddressError extends Error {
  readonly code = 'WEBHOOK_URL_FORBIDDEN';
}

/**
 * A `lookup` for node:http that refuses names resolving to a forbidden address: the check
 * happens on the very addresses the socket then connects to, so a name that resolved to a
 * public address at registration and to an internal one now (DNS rebinding) is refused.
 */
export function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} resolved to nothing`), '', 0);
      for (const { address } of addresses) {
        const reason = forbiddenAddress(address, policy);
        if (reason) return callback(new ForbiddenAddressError(reason), '', 0);
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** Why a URL's literal IP host may not be sent to (a lookup is not made for those), or null. */
export function forbiddenLiteralHost(url: URL, policy: UrlPolicy): string | null {
  const host = hostOf(url);
  return ipaddr.isValid(host) ? forbiddenAddress(host, policy) : null;
}
