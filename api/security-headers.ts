import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A page a browser renders: helmet's headers with these options (the web app's CSP). */
    helmet?: HelmetOptions;
  }
}

type Middleware = ReturnType<typeof helmet>;

/**
 * What a response of the API itself (JSON, page images) carries, after OWASP's REST Security
 * Cheat Sheet: nothing may frame it, sniff its type or load it over plain HTTP, and it loads
 * nothing. Helmet's other headers speak to pages a browser renders; sent with every read they
 * were a measurable share of its work, on both ends of the connection.
 */
const API_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The pages: the web app's routes (their own `helmet` options) and the API docs. */
const pageOptions = (request: FastifyRequest): HelmetOptions | undefined =>
  request.routeOptions.config.helmet ??
  (request.routeOptions.url?.startsWith('/docs') ? {} : undefined);

/**
 * Security headers on every response: the API's own set, or helmet's for a page. Each set of
 * helmet options is turned into its middleware once: building it parses the content security
 * policy, and doing that per request was a measurable share of a point read.
 */
export const securityHeaders = fp(async (app: FastifyInstance) => {
  const byOptions = new WeakMap<HelmetOptions, Middleware>();
  const middlewareFor = (options: HelmetOptions): Middleware => {
    let built = byOptions.get(options);
    if (!built) {
      built = helmet(options);
      byOptions.set(options, built);
    }
    return built;
  };
  app.addHook('onRequest', (request, reply, done) => {
    const page = pageOptions(request);
    if (!page) {
      reply.headers(API_HEADERS);
      return done();
    }
    middlewareFor(page)(request.raw, reply.raw, (error?: unknown) =>
      done(error instanceof Error ? error : undefined),
    );
  });
});
