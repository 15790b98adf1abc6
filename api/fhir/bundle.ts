import type { Bundle, FhirResource, OperationOutcome } from './types.ts';

type IssueType = OperationOutcome['issue'][number]['code'];

/** A search's results: each with its full URL under `base`, and the total that matched. */
export function searchset(
  base: string,
  resources: readonly FhirResource[],
  links: { self: string; next?: string },
  total = resources.length,
): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link: [
      { relation: 'self', url: links.self },
      ...(links.next ? [{ relation: 'next', url: links.next }] : []),
    ],
    entry: resources.map((resource) => ({
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

const ISSUE_TYPES: Record<number, IssueType> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  429: 'throttled',
  503: 'transient',
  504: 'timeout',
};

/** An error as FHIR says it: the issue type its status implies, and the API's stable code. */
export function operationOutcome(
  status: number,
  error: { code: string; message: string },
  errorCodeSystem: string,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: status >= 500 ? 'fatal' : 'error',
        code: ISSUE_TYPES[status] ?? 'exception',
        details: { coding: [{ system: errorCodeSystem, code: error.code }], text: error.message },
      },
    ],
  };
}
