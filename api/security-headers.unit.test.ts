import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers.ts';

async function appWithRoutes() {
  const app = Fastify();
  await app.register(securityHeaders);
  app.get('/plain', async () => ({ ok: true }));
  const own = { contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'blob:'] } } };
  app.get('/own', { config: { helmet: own } }, async () => ({ ok: true }));
  return app;
}

describe('security headers', () => {
  it("sets helmet's defaults on every response, the same on each request", async () => {
    const app = await appWithRoutes();
    const [first, second] = await Promise.all([
      app.inject({ url: '/plain' }),
      app.inject({ url: '/plain' }),
    ]);
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.headers['content-security-policy']).toContain("default-src 'self'");
    expect(second.headers['content-security-policy']).toBe(
      first.headers['content-security-policy'],
    );
    expect((await app.inject({ url: '/missing' })).headers['x-frame-options']).toBe('SAMEORIGIN');
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
