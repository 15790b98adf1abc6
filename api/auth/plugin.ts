import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DocstreamError, forbidden, unauthenticated } from '../../infra/errors.ts';
import { looksLikeApiKey } from './api-keys.ts';
import type { Principal, Role } from './principal.ts';

/**
 * Who may call a route: `public` (no credential), `ops` (open from loopback when so configured,
 * else an admin), or the roles that may.
 */
export type RouteAccess = 'public' | 'ops' | { roles: readonly Role[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface AuthOptions {
  verifyApiKey: (key: string) => Promise<Principal | null>;
  /** Null when no identity provider is configured: only API keys are accepted. */
  verifyToken: ((token: string) => Promise<Principal | null>) | null;
  /** Whether ops routes (metrics, API docs) are open to requests from the loopback address. */
  opsOpenOnLoopback: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

const missing = () =>
  unauthenticated('CREDENTIALS_REQUIRED', 'send Authorization: Bearer <token or API key>');
const rejected = () => unauthenticated('CREDENTIALS_INVALID', 'the credential is not valid');

/** The principal of an authenticated request; routes that are not public always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw missing();
  return request.principal;
}

/**
 * Every route declares its access; a route that does not is refused to everyone. A missing or bad
 * credential is 401, a principal without a role the route allows is 403, both before the request
 * is parsed, so neither says anything about what exists. A `tenantId` in the query or body is
 * accepted only when it is the principal's own.
 */
export const authPlugin = fp(async (app: FastifyInstance, options: AuthOptions) => {
  app.decorateRequest('principal', null);

  const authenticate = async (request: FastifyRequest): Promise<Principal> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) throw missing();
    const credential = match[1];
    const found = looksLikeApiKey(credential)
      ? await options.verifyApiKey(credential)
      : options.verifyToken
        ? await options.verifyToken(credential).catch((cause: unknown) => {
            throw new DocstreamError(
              'unavailable',
              'IDENTITY_PROVIDER_UNAVAILABLE',
              'the identity provider cannot be reached to check the token',
              { cause },
            );
          })
        : null;
    if (!found) throw rejected();
    return found;
  };

  const accessOf = (request: FastifyRequest): RouteAccess | undefined =>
    request.routeOptions.config.access ??
    (request.routeOptions.url?.startsWith('/docs') ? 'ops' : undefined);

  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const access = accessOf(request);
    if (access === 'public') return;
    if (access === 'ops' && options.opsOpenOnLoopback && LOOPBACK.test(request.ip)) return;
    let who: Principal;
    try {
      who = await authenticate(request);
    } catch (error) {
      if (error instanceof DocstreamError && error.kind === 'unauthenticated') {
        reply.header('www-authenticate', 'Bearer');
      }
      throw error;
    }
    request.principal = who;
    const allowed: readonly Role[] = access === 'ops' ? ['admin'] : (access?.roles ?? []);
    if (!allowed.some((role) => who.roles.has(role))) {
      throw forbidden('ROLE_NOT_ALLOWED', 'the credential does not allow this');
    }
  });

  app.addHook('preHandler', async (request) => {
    const who = request.principal;
    if (!who) return;
    for (const source of [request.query, request.body]) {
      const named = (source as { tenantId?: unknown } | undefined)?.tenantId;
      if (named !== undefined && named !== who.tenantId) throw tenantMismatch();
    }
  });
});

export const tenantMismatch = () =>
  forbidden('TENANT_MISMATCH', "the tenantId is not the credential's tenant");

/** The principal's tenant; a tenant named by the request (a form field) must be the same. */
export function ownTenant(request: FastifyRequest, named?: string): string {
  const { tenantId } = principalOf(request);
  if (named !== undefined && named !== tenantId) throw tenantMismatch();
  return tenantId;
}
