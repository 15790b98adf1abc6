import type { IdsOfRead } from '../audit/reads.ts';

type Json = Readonly<Record<string, unknown>>;
const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** `Patient/<id>` → the id, for references of the given type. */
const referenced = (type: string, value: unknown): string[] => {
  const reference = isJson(value) ? value.reference : undefined;
  return typeof reference === 'string' && reference.startsWith(`${type}/`)
    ? [reference.slice(type.length + 1)]
    : [];
};

/** The patients and documents one FHIR resource shows. */
function idsIn(resource: Json): { patients: string[]; documents: string[] } {
  const id = typeof resource.id === 'string' ? resource.id : null;
  const list = (key: string) => (Array.isArray(resource[key]) ? resource[key] : []) as unknown[];
  switch (resource.resourceType) {
    case 'Patient':
      return { patients: id ? [id] : [], documents: [] };
    case 'DocumentReference':
      return { patients: referenced('Patient', resource.subject), documents: id ? [id] : [] };
    default:
      return {
        patients: referenced('Patient', resource.subject),
        documents: [
          ...list('derivedFrom').flatMap((r) => referenced('DocumentReference', r)),
          ...list('evidence').flatMap((e) =>
            (isJson(e) && Array.isArray(e.detail) ? e.detail : []).flatMap((r: unknown) =>
              referenced('DocumentReference', r),
            ),
          ),
        ],
      };
  }
}

/** What a FHIR read returned: one resource, or a search's Bundle of them (OperationOutcomes aside). */
export const fhirRead: IdsOfRead = (payload) => {
  const root = isJson(payload) ? payload : {};
  const resources =
    root.resourceType === 'Bundle'
      ? (Array.isArray(root.entry) ? root.entry : []).flatMap((e: unknown) =>
          isJson(e) && isJson(e.resource) ? [e.resource] : [],
        )
      : root.resourceType && root.resourceType !== 'OperationOutcome'
        ? [root]
        : [];
  const found = resources.map(idsIn);
  return {
    documentIds: [...new Set(found.flatMap((f) => f.documents))],
    patientIds: [...new Set(found.flatMap((f) => f.patients))],
    resultCount: resources.length,
  };
};
