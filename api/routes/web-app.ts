import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** The review web app: its files under /app/, and what the page needs to know to sign in. */
export interface WebAppOptions {
  /** The OpenID Connect issuer and the app's public client; no issuer: API keys only. */
  oidc: { issuer: string; clientId: string };
}

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const OAUTH_CLIENT = createRequire(import.meta.url).resolve('oauth4webapi');

/**
 * Everything here is public: the page holds no data until it calls the API with the person's
 * own credential. The page talks to the API (same origin) and to the issuer's token endpoint,
 * so its content security policy allows exactly those; scripts stay same-origin files.
 */
export const webAppRoutes: FastifyPluginAsync<WebAppOptions> = async (app, { oidc }) => {
  const issuerOrigin = oidc.issuer ? new URL(oidc.issuer).origin : null;
  const helmet = {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'connect-src': ["'self'", ...(issuerOrigin ? [issuerOrigin] : [])],
        'style-src': ["'self'"],
        // Page images arrive by fetch with the credential and are shown from blob: URLs.
        'img-src': ["'self'", 'data:', 'blob:'],
        // The app is served over plain HTTP on loopback in development.
        'upgrade-insecure-requests': null,
      },
    },
  };
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public', helmet } as typeof route.config;
  });

  const oauthClient = await readFile(OAUTH_CLIENT, 'utf8');
  app.get('/app/vendor/oauth4webapi.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(oauthClient),
  );
  app.get('/app/config.json', { schema: { hide: true } }, async () => ({
    issuer: oidc.issuer || null,
    clientId: oidc.issuer ? oidc.clientId : null,
  }));
  app.get('/app', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/app/'));
  await app.register(fastifyStatic, {
    root: WEB_ROOT,
    prefix: '/app/',
    // The page is one document whose screens live in the URL's hash.
    index: ['index.html'],
    decorateReply: false,
    cacheControl: false,
  });
};
