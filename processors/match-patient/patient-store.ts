import { blockingKeys, subjectBlockingKeys } from './blocking.ts';
import { packName, unpackName } from './names.ts';
import type { PatientView } from './score.ts';
import type { PreparedSubject, SubjectIdentifier } from './subject.ts';

/** A block this large says little; it is only scanned when it is the subject's smallest. */
const MAX_BLOCK_SCAN = 4000;
const SEX_CODES = [null, 'F', 'M'] as const;

/**
 * The patients of one tenant in parallel arrays indexed by slot, every variant packed into one
 * short string, so a million patients cost a few hundred bytes each. Blocks and identifiers map
 * keys to slots. A slot whose id is '' has left (merged away or dropped).
 */
export class PatientStore {
  private readonly ids: string[] = [];
  private readonly names: string[] = [];
  private readonly births: string[] = [];
  private readonly sexes: number[] = [];
  private readonly identifiers: string[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly byIdentifier = new Map<string, number[]>();
  private readonly blocks = new Map<string, number[]>();
  private readonly facilities: string[] = [];
  private readonly facilityNumber = new Map<string, number>();

  get size(): number {
    return this.slotOf.size;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  add(patient: PatientView): void {
    const slot = this.ids.length;
    this.ids.push(patient.id);
    this.names.push(patient.names.map(packName).join(';'));
    this.births.push(patient.births.join(';'));
    this.sexes.push(SEX_CODES.indexOf(patient.sex));
    this.identifiers.push(patient.identifiers.map((id) => this.identifierKey(id)).join(';'));
    this.slotOf.set(patient.id, slot);
    this.link(slot, patient);
  }

  /** Adds what another record knew (names, dates, identifiers) to a patient's variants. */
  absorb(id: string, other: PatientView): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const join = (packed: string, more: string[]) =>
      [...new Set([...(packed ? packed.split(';') : []), ...more])].join(';');
    this.names[slot] = join(this.names[slot] as string, other.names.map(packName));
    this.births[slot] = join(this.births[slot] as string, [...other.births]);
    this.identifiers[slot] = join(
      this.identifiers[slot] as string,
      other.identifiers.map((identifier) => this.identifierKey(identifier)),
    );
    this.link(slot, other);
  }

  remove(id: string): PatientView | undefined {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return undefined;
    const view = this.view(slot);
    const unlink = (map: Map<string, number[]>, key: string) => {
      const slots = map.get(key)?.filter((s) => s !== slot);
      if (slots && slots.length > 0) map.set(key, slots);
      else map.delete(key);
    };
    for (const key of blockingKeys(view.names, view.births)) unlink(this.blocks, key);
    for (const identifier of view.identifiers)
      unlink(this.byIdentifier, this.identifierKey(identifier));
    this.slotOf.delete(id);
    this.ids[slot] = '';
    this.names[slot] = '';
    this.births[slot] = '';
    this.identifiers[slot] = '';
    return view;
  }

  get(id: string): PatientView | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.view(slot);
  }

  /**
   * The patients worth comparing with a subject: those sharing an identifier, then those sharing
   * the most blocking keys, at most `limit` of the latter.
   */
  candidates(subject: PreparedSubject, limit: number): PatientView[] {
    const chosen = new Set<number>();
    for (const identifier of subject.identifiers) {
      const key = this.identifierKey(identifier, false);
      for (const slot of (key && this.byIdentifier.get(key)) || []) chosen.add(slot);
    }
    const found = subjectBlockingKeys(subject)
      .map((key) => this.blocks.get(key))
      .filter((block): block is number[] => block !== undefined)
      .sort((a, b) => a.length - b.length);
    const votes = new Map<number, number>();
    found.forEach((block, at) => {
      if (at > 0 && block.length > MAX_BLOCK_SCAN) return;
      for (const slot of block) votes.set(slot, (votes.get(slot) ?? 0) + 1);
    });
    const ranked = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const [slot] of ranked.slice(0, limit)) chosen.add(slot);
    return [...chosen].map((slot) => this.view(slot));
  }

  private link(slot: number, patient: PatientView) {
    const append = (map: Map<string, number[]>, key: string) => {
      const slots = map.get(key);
      if (!slots) map.set(key, [slot]);
      else if (!slots.includes(slot)) slots.push(slot);
    };
    for (const key of blockingKeys(patient.names, patient.births)) append(this.blocks, key);
    for (const identifier of patient.identifiers) {
      append(this.byIdentifier, this.identifierKey(identifier));
    }
  }

  private view(slot: number): PatientView {
    const split = (packed: string) => (packed ? packed.split(';') : []);
    return {
      id: this.ids[slot] as string,
      names: split(this.names[slot] as string).map(unpackName),
      births: split(this.births[slot] as string),
      sex: SEX_CODES[this.sexes[slot] as number] ?? null,
      identifiers: split(this.identifiers[slot] as string).map((key) => this.identifierOf(key)),
    };
  }

  /** `r3:4471` (record 4471 of the third facility seen) or `c:<CURP>`. */
  private identifierKey(identifier: SubjectIdentifier, intern: false): string | null;
  private identifierKey(identifier: SubjectIdentifier): string;
  private identifierKey(identifier: SubjectIdentifier, intern = true): string | null {
    if (identifier.scheme === 'curp') return `c:${identifier.value}`;
    const facility = identifier.facility ?? '';
    let number = this.facilityNumber.get(facility);
    if (number === undefined) {
      if (!intern) return null;
      number = this.facilities.push(facility) - 1;
      this.facilityNumber.set(facility, number);
    }
    return `r${number}:${identifier.value}`;
  }

  private identifierOf(key: string): SubjectIdentifier {
    const colon = key.indexOf(':');
    const value = key.slice(colon + 1);
    if (key.startsWith('c')) return { scheme: 'curp', facility: null, value };
    return {
      scheme: 'record',
      facility: this.facilities[Number(key.slice(1, colon))] ?? null,
      value,
    };
  }
}
