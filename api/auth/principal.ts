/** What a person or a machine may do; a route names the roles it allows. */
export const ROLES = ['uploader', 'reader', 'reviewer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role =>
  (ROLES as readonly string[]).includes(value);

/**
 * Who a request acts for, named by its credential: the tenant it may see and the roles it holds.
 * `actor` is what every event the request causes records as its actor.
 */
export interface Principal {
  readonly kind: 'user' | 'key';
  readonly id: string;
  readonly tenantId: string;
  readonly roles: ReadonlySet<Role>;
  readonly actor: string;
}

export function principal(
  kind: Principal['kind'],
  id: string,
  tenantId: string,
  roles: Iterable<string>,
): Principal {
  return {
    kind,
    id,
    tenantId,
    roles: new Set([...roles].filter(isRole)),
    actor: `${kind}:${id}`,
  };
}
