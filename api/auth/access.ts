import type { RouteAccess } from './plugin.ts';

/** The roles each kind of route allows. */
export const ACCESS = {
  uploader: { roles: ['uploader'] },
  reader: { roles: ['reader'] },
  reviewer: { roles: ['reviewer'] },
  auditor: { roles: ['auditor'] },
  admin: { roles: ['admin'] },
  /** Reads of the tenant's usage and quotas. */
  usage: { roles: ['admin', 'auditor'] },
  /** Deleting a document into the trash and restoring it: admins, and uploaders. */
  trash: { roles: ['admin', 'uploader'] },
  /** A document's pages as images: readers, and reviewers, who decide from them. */
  pageImages: { roles: ['reader', 'reviewer'] },
} as const satisfies Record<string, RouteAccess>;
