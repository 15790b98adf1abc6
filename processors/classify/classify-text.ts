import { DOCUMENT_TYPES, type DocumentType } from '../../schemas/document-types.ts';
import type { ClassificationEvidence, DocumentTypeHint } from '../../schemas/events.ts';
import { linesOf, type TextLine } from './normalize.ts';
import { RULES } from './rules.ts';

export interface Classification {
  readonly documentType: DocumentType;
  /** 0..1: high only when the winner is well ahead of the runner-up and well supported. */
  readonly confidence: number;
  readonly evidence: ClassificationEvidence[];
  /** Every type that scored, best first. */
  readonly scores: Array<{ documentType: DocumentType; score: number }>;
}

/** A phrase in the title weighs more than in a section heading, which weighs more than in prose. */
const ZONE_BOOST: Record<TextLine['zone'], number> = { title: 2.5, heading: 1.5, body: 1 };
/**
 * A hint is worth about one section heading: it decides when the text says nothing, tips a close
 * call, and loses to a title or a handful of sections that say otherwise.
 */
const HINT_WEIGHT: Record<DocumentTypeHint['source'], number> = { client: 3, 'file-name': 2.5 };
/** Below this, nothing was said clearly enough: the document is `other`. */
const MIN_SCORE = 3;
/** A winner scoring this much has about two thirds (1 - 1/e) of full strength. */
const STRENGTH_SCALE = 8;
/** Evidence recorded in the event: the strongest phrases; every phrase still counts in the scores. */
const MAX_TEXT_EVIDENCE = 24;
const RULES_LONGEST_FIRST = [...RULES].sort((a, b) => b.key.length - a.key.length);

const isDocumentType = (value: string): value is DocumentType =>
  (DOCUMENT_TYPES as readonly string[]).includes(value);

/**
 * Each rule that matches, once, where it weighs most. Longer phrases are tried first and use up
 * the words they matched, so `receta` inside `receta médica` is not counted again.
 */
function textEvidence(lines: readonly TextLine[]): ClassificationEvidence[] {
  const unread = lines.map(({ padded, zone }) => ({ text: padded, zone }));
  const found: ClassificationEvidence[] = [];
  for (const rule of RULES_LONGEST_FIRST) {
    let boost = 0;
    for (const line of unread) {
      if (!line.text.includes(rule.key)) continue;
      line.text = line.text.replaceAll(rule.key, ' ');
      boost = Math.max(boost, ZONE_BOOST[line.zone]);
    }
    if (boost === 0) continue;
    found.push({
      source: boost > 1 ? 'title' : 'text',
      documentType: rule.documentType,
      detail: rule.phrase,
      weight: round(rule.weight * boost),
    });
  }
  return found.sort((a, b) => b.weight - a.weight);
}

function hintEvidence(hint: DocumentTypeHint | null): ClassificationEvidence[] {
  if (!hint || !isDocumentType(hint.documentType)) return [];
  const detail = hint.source === 'client' ? 'type given at upload' : 'type code in the file name';
  return [
    {
      source: hint.source,
      documentType: hint.documentType,
      detail,
      weight: HINT_WEIGHT[hint.source],
    },
  ];
}

function scoresOf(evidence: readonly ClassificationEvidence[]): Classification['scores'] {
  const totals = new Map<DocumentType, number>();
  for (const { documentType, weight } of evidence) {
    const type = documentType as DocumentType;
    totals.set(type, (totals.get(type) ?? 0) + weight);
  }
  return [...totals]
    .map(([documentType, score]) => ({ documentType, score: round(score) }))
    .sort((a, b) => b.score - a.score || a.documentType.localeCompare(b.documentType));
}

/**
 * How sure the winner is: the square root of its lead over the runner-up, as a share of its
 * score, times how much support it has at all. A near tie or a thin score is unsure.
 */
export function confidenceOf(best: number, second: number): number {
  if (best <= 0) return 0;
  const lead = Math.sqrt((best - second) / best);
  const strength = 1 - Math.exp(-best / STRENGTH_SCALE);
  return round(lead * strength, 3);
}

/**
 * Decides a document's type from its text by weighted Spanish and English phrases, with the
 * client's or the file name's hint as one more piece of evidence. `other` when no type scores
 * enough; its confidence then falls as the best type comes closer to scoring enough.
 */
export function classifyText(text: string, hint: DocumentTypeHint | null): Classification {
  const found = [...textEvidence(linesOf(text)), ...hintEvidence(hint)];
  const scores = scoresOf(found);
  const evidence = [
    ...found
      .filter((item) => item.source === 'text' || item.source === 'title')
      .slice(0, MAX_TEXT_EVIDENCE),
    ...found.filter((item) => item.source === 'client' || item.source === 'file-name'),
  ];
  const [first, second] = scores;
  if (!first || first.score < MIN_SCORE) {
    const best = first?.score ?? 0;
    return {
      documentType: 'other',
      confidence: round(0.5 * (1 - best / MIN_SCORE), 3),
      evidence,
      scores,
    };
  }
  return {
    documentType: first.documentType,
    confidence: confidenceOf(first.score, second?.score ?? 0),
    evidence,
    scores,
  };
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
