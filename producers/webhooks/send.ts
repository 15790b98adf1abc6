import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { forbiddenLiteralHost, guardedLookup, type UrlPolicy } from './url-policy.ts';

export interface SignedMessage {
  /** `webhook-id`: the same on every attempt, so a receiver can drop repeats. */
  id: string;
  body: string;
}

/** One attempt: a 2xx is delivered; anything else, or no answer, is tried again later. */
export interface AttemptResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
}

export interface SendOptions {
  policy: UrlPolicy;
  timeoutMs: number;
  now?: () => number;
}

/** The Standard Webhooks headers for `message`, signed with the endpoint's `whsec_` secret. */
export function signedHeaders(
  secret: string,
  message: SignedMessage,
  at: Date,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'docstream-webhooks',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(message.id, at, message.body),
  };
}

/**
 * POSTs a signed message. Redirects are not followed, and the address connected to is checked
 * against the policy at connect time.
 */
export function sendWebhook(
  url: string,
  secret: string,
  message: SignedMessage,
  options: SendOptions,
): Promise<AttemptResult> {
  const target = new URL(url);
  const literal = forbiddenLiteralHost(target, options.policy);
  if (literal) return Promise.resolve({ delivered: false, statusCode: null, error: literal });
  const headers = signedHeaders(secret, message, new Date(options.now?.() ?? Date.now()));
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(message.body)) },
        lookup: guardedLookup(options.policy),
        timeout: options.timeoutMs,
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        // The body is not read, only drained, so the connection can be reused.
        response.resume();
        response.on('end', () => {
          const delivered = statusCode >= 200 && statusCode < 300;
          resolve({ delivered, statusCode, error: delivered ? null : `HTTP ${statusCode}` });
        });
        response.on('error', (error) =>
          resolve({ delivered: false, statusCode, error: error.message }),
        );
      },
    );
    const giveUp = () => request.destroy(new Error(`no answer in ${options.timeoutMs} ms`));
    // Idle sockets time out; a receiver that answers a byte at a time meets the deadline.
    request.on('timeout', giveUp);
    const deadline = setTimeout(giveUp, options.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error) =>
      resolve({ delivered: false, statusCode: null, error: error.message }),
    );
    request.end(message.body);
  });
}
