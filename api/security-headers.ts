import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Security headers of the route's own, in place of the defaults (the web app's CSP). */
    helmet?: HelmetOptions;
  }
}

type Middleware = ReturnType<typeof helmet>;

/**
 * Helmet's headers on every response. Each set of options is turned into its middleware once:
 * building it parses the content security policy, and doing that per request was a measurable
 * share of a point read.
 */
export const securityHeaders = fp(async (app: FastifyInstance) => {
  const defaults = helmet();
  const byOptions = new WeakMap<HelmetOptions, Middleware>();
  const middlewareFor = (options: HelmetOptions | undefined): Middleware => {
    if (!options) return defaults;
    let built = byOptions.get(options);
    if (!built) {
      built = helmet(options);
      byOptions.set(options, built);
    }
    return built;
  };
  app.addHook('onRequest', (request, reply, done) => {
    middlewareFor(request.routeOptions.config.helmet)(request.raw, reply.raw, (error?: unknown) =>
      done(error instanceof Error ? error : undefined),
    );
  });
});
