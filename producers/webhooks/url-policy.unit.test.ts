import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { retryDelay, settle } from './dispatcher.ts';
import { sendWebhook } from './send.ts';
import { checkWebhookUrl, forbiddenAddress } from './url-policy.ts';

const STRICT = { allowPrivate: false };
const LOCAL = { allowPrivate: true };
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

describe('webhook URL policy', () => {
  it('refuses loopback, private, link-local and metadata addresses by default', () => {
    for (const address of [
      '127.0.0.1',
      '::1',
      '::ffff:127.0.0.1',
      '10.1.2.3',
      '192.168.0.10',
      '172.16.5.4',
      '100.64.0.1',
      'fc00::1',
      '169.254.169.254',
      'fe80::1',
      'fd00:ec2::254',
      '0.0.0.0',
    ]) {
      expect(forbiddenAddress(address, STRICT), address).not.toBeNull();
    }
    expect(forbiddenAddress('93.184.215.14', STRICT)).toBeNull();
    expect(forbiddenAddress('2606:4700::1111', STRICT)).toBeNull();
  });

  it('allows loopback and private ranges when so configured, never link-local or metadata', () => {
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', 'fc00::1']) {
      expect(forbiddenAddress(address, LOCAL), address).toBeNull();
    }
    for (const address of ['169.254.169.254', '169.254.1.1', 'fe80::1', 'fd00:ec2::254']) {
      expect(forbiddenAddress(address, LOCAL), address).not.toBeNull();
    }
  });

  it('checks every address a host resolves to at registration', async () => {
    const resolvesTo = (addresses: string[]) => async () => addresses;
    expect(
      await codeOf(checkWebhookUrl('https://hooks.example/x', STRICT, resolvesTo(['8.8.8.8']))),
    ).toBe('accepted');
    expect(
      await codeOf(
        checkWebhookUrl('https://hooks.example/x', STRICT, resolvesTo(['8.8.8.8', '10.0.0.1'])),
      ),
    ).toBe('WEBHOOK_URL_FORBIDDEN');
    const unresolvable = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await codeOf(checkWebhookUrl('https://nowhere.example/', STRICT, unresolvable))).toBe(
      'WEBHOOK_URL_INVALID',
    );
    // A decimal IPv4 host is read as the address it is.
    expect(await codeOf(checkWebhookUrl('http://2130706433/', STRICT))).toBe(
      'WEBHOOK_URL_FORBIDDEN',
    );
    expect(await codeOf(checkWebhookUrl('gopher://8.8.8.8/', STRICT))).toBe('WEBHOOK_URL_INVALID');
    expect(await codeOf(checkWebhookUrl('http://Metadata.Google.Internal./', LOCAL))).toBe(
      'WEBHOOK_URL_FORBIDDEN',
    );
  });

  it('checks again at connect time: a name that now resolves to loopback is not sent to', async () => {
    let requests = 0;
    const server = http.createServer((_request, response) => {
      requests++;
      response.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const message = { id: 'msg_1', body: '{}' };
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    try {
      const refused = await sendWebhook(`http://localhost:${port}/`, secret, message, {
        policy: STRICT,
        timeoutMs: 2000,
      });
      expect(refused).toMatchObject({ delivered: false, statusCode: null });
      expect(refused.error).toMatch(/loopback/);
      expect(requests).toBe(0);
      const sent = await sendWebhook(`http://localhost:${port}/`, secret, message, {
        policy: LOCAL,
        timeoutMs: 2000,
      });
      expect(sent).toEqual({ delivered: true, statusCode: 200, error: null });
      expect(requests).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe('webhook retries', () => {
  const retry = { maxAttempts: 3, baseMs: 100, maxMs: 1000 };
  it('backs off exponentially up to the ceiling, then gives up', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, retry, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(retryDelay(3, retry, () => 0)).toBe(200);
    const failed = { delivered: false, statusCode: 500, error: 'HTTP 500' };
    expect(settle(failed, 1, retry)).toEqual({ status: 'pending', retryInMs: expect.any(Number) });
    expect(settle(failed, 3, retry)).toEqual({ status: 'failed' });
    expect(settle({ delivered: true, statusCode: 204, error: null }, 3, retry)).toEqual({
      status: 'delivered',
    });
  });
});
