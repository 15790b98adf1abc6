/** What each kind of fact is called in a FHIR id: `<documentId>-<kind>-<ordinal>`. */
export const FACT_KINDS = { lab: 'lab', medication: 'med', diagnosis: 'dx' } as const;
export type FactKind = keyof typeof FACT_KINDS;

/** A fact's id: the document it was read from and its place among that document's facts. */
export const factId = (kind: FactKind, documentId: string, ordinal: number) =>
  `${documentId}-${FACT_KINDS[kind]}-${ordinal}`;

/** The document and ordinal a fact's id names, or null for an id not of that kind. */
export function parseFactId(
  kind: FactKind,
  id: string,
): { documentId: string; ordinal: number } | null {
  const match = new RegExp(`^(.+)-${FACT_KINDS[kind]}-(\\d{1,6})$`).exec(id);
  if (!match?.[1] || !match[2]) return null;
  return { documentId: match[1], ordinal: Number(match[2]) };
}
