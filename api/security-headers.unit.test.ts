import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers.ts';

async function appWithRoutes() {
  const app = Fastify();
  await app.register(securityHeaders);
  app.get('/plain', async () => ({ ok: true }));
  const own = { contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'blob:'] } } };
  app.get('/own', { config: { helmet: own } }, async () => ({ ok: true }));
  app.get('/docs/page', async () => 'a page');
  return app;
}

describe('security headers', () => {
  it('sets the API set on every API response, unknown routes included', async () => {
    const app = await appWithRoutes();
    for (const url of ['/plain', '/missing']) {
      const { headers } = await app.inject({ url });
      expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['strict-transport-security']).toContain('max-age=31536000');
      // Headers for pages only: none on what no browser renders.
      expect(headers['cross-origin-opener-policy']).toBeUndefined();
    }
  });

  it("sets helmet's defaults on the API docs' pages, the same on each request", async () => {
    const app = await appWithRoutes();
    const [first, second] = await Promise.all([
      app.inject({ url: '/docs/page' }),
      app.inject({ url: '/docs/page' }),
    ]);
    expect(first.headers['content-security-policy']).toContain("default-src 'self'");
    expect(first.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(second.headers['content-security-policy']).toBe(
      first.headers['content-security-policy'],
    );
  });

  it("sets a route's own options in place of the defaults", async () => {
    const app = await appWithRoutes();
    const own = await app.inject({ url: '/own' });
    expect(own.headers['content-security-policy']).toContain("img-src 'self' blob:");
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    const plain = await app.inject({ url: '/plain' });
    expect(plain.headers['content-security-policy']).not.toContain('blob:');
  });
});
