import { blockingKeys, subjectBlockingKeys } from './blocking.ts';
import { hash30, IntList, SlotsByHash } from './compact.ts';
import { type PersonName, packName } from './names.ts';
import { mayBeShown } from './policy.ts';
import { mostVoted } from './ranking.ts';
import type { PatientView, ScoredCandidate } from './score.ts';
import { type NumberedSubject, rateStored, type SubjectKeys } from './slot-score.ts';
import type { PreparedSubject, SubjectIdentifier } from './subject.ts';
import { WordComparer } from './word-comparer.ts';

/** A block this large says little; it is only scanned when it is the subject's smallest. */
const MAX_BLOCK_SCAN = 4000;
const SEX_CODES = [null, 'F', 'M'] as const;
/** A slot's int32s: the UUID's 16 bytes, where its record starts in the pool, its sex's code. */
const SLOT_INTS = 6;
const SLOT_BYTES = SLOT_INTS * 4;
const RECORD_AT = 4;
const SEX = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_CODES = new TextEncoder().encode('0123456789abcdef');
/** Where each byte's two hex digits go in the text of a UUID. */
const UUID_DIGITS_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const uuidText = new Uint8Array(36).fill('-'.charCodeAt(0));
const latin1 = new TextDecoder('latin1');

/**
 * The patients of one tenant, by slot, in typed arrays: the UUID, record and sex in six int32,
 * name words as numbers of a shared vocabulary and dates of birth as numbers (`19800307`) in one
 * pool of int32 (`names, (surnames, words…, given, words…)…, births, dates…`), identifiers in one
 * short string. Ids and identifiers are found through hashes checked against the slot, blocks are
 * int32 lists in slot order: a million patients cost a few hundred bytes each, and scanning a
 * block or scoring a candidate allocates little.
 */
export class PatientStore {
  private capacity = 1024;
  private slots = 0;
  private count = 0;
  /** Per slot, side by side so that scoring a candidate reads one place: UUID, record, sex. */
  private slotData = new Int32Array(this.capacity * SLOT_INTS);
  private slotBytes = new Uint8Array(this.slotData.buffer);
  private readonly otherIds = new Map<number, string>();
  private readonly identifierKeys: string[] = [];
  private readonly pool = new IntList(1 << 16);
  private readonly vocabulary: string[] = [];
  private readonly wordIds = new Map<string, number>();
  private readonly words = new WordComparer(this.vocabulary, this.wordIds);
  private readonly slotOf = new SlotsByHash();
  private readonly byIdentifier = new SlotsByHash();
  private readonly blocks = new Map<string, IntList>();
  private readonly facilities: string[] = [];
  private readonly facilityNumber = new Map<string, number>();

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.slotFor(id) !== undefined;
  }

  add(patient: PatientView): void {
    if (this.slots === this.capacity) this.grow();
    const slot = this.slots++;
    this.count++;
    if (UUID.test(patient.id)) {
      for (let i = 0; i < 16; i++) {
        const at =
          i * 2 + (i >= 4 ? 1 : 0) + (i >= 6 ? 1 : 0) + (i >= 8 ? 1 : 0) + (i >= 10 ? 1 : 0);
        this.slotBytes[slot * SLOT_BYTES + i] = Number.parseInt(patient.id.slice(at, at + 2), 16);
      }
    } else this.otherIds.set(slot, patient.id);
    this.slotData[slot * SLOT_INTS + SEX] = SEX_CODES.indexOf(patient.sex);
    this.slotData[slot * SLOT_INTS + RECORD_AT] = this.write(patient.names, patient.births);
    this.identifierKeys[slot] = patient.identifiers.map((id) => this.identifierKey(id)).join(';');
    this.slotOf.add(hash30(patient.id), slot);
    this.link(slot, patient, true);
  }

  /** Adds what another record knew (names, dates, identifiers) to a patient's variants. */
  absorb(id: string, other: PatientView): void {
    const slot = this.slotFor(id);
    if (slot === undefined) return;
    const { names, births } = this.variants(slot);
    const byPacked = new Map(names.map((name) => [packName(name), name]));
    for (const name of other.names)
      if (!byPacked.has(packName(name))) byPacked.set(packName(name), name);
    this.slotData[slot * SLOT_INTS + RECORD_AT] = this.write(
      [...byPacked.values()],
      [...new Set([...births, ...other.births])],
    );
    const keys = this.identifierKeys[slot] as string;
    const more = other.identifiers.map((identifier) => this.identifierKey(identifier));
    this.identifierKeys[slot] = [...new Set([...(keys ? keys.split(';') : []), ...more])].join(';');
    this.link(slot, other);
  }

  remove(id: string): PatientView | undefined {
    const slot = this.slotFor(id);
    if (slot === undefined) return undefined;
    const view = this.view(slot);
    for (const key of blockingKeys(view.names, view.births)) {
      const block = this.blocks.get(key);
      block?.remove(slot);
      if (block?.length === 0) this.blocks.delete(key);
    }
    for (const key of this.keysOf(slot)) this.byIdentifier.delete(hash30(key), slot);
    this.slotOf.delete(hash30(id), slot);
    this.otherIds.delete(slot);
    this.identifierKeys[slot] = '';
    this.count--;
    return view;
  }

  get(id: string): PatientView | undefined {
    const slot = this.slotFor(id);
    return slot === undefined ? undefined : this.view(slot);
  }

  /**
   * The patients worth comparing with a subject: those sharing an identifier, then those sharing
   * the most blocking keys (ties to the earliest added), at most `limit` of the latter.
   */
  candidates(subject: PreparedSubject, limit: number): PatientView[] {
    return this.chosen(subject, limit).map((slot) => this.view(slot));
  }

  /**
   * `scoreCandidate` of each of `candidates(subject, limit)`, read from the slots where they are;
   * with `shown`, only of those that can be among the first `shown` a decision shows.
   */
  score(subject: PreparedSubject, limit: number, shown?: number): ScoredCandidate[] {
    const numbered = this.numbered(subject);
    const ratings = this.chosen(subject, limit).map((slot) =>
      rateStored(
        numbered,
        {
          slot,
          sex: this.sexOf(slot),
          pool: this.pool.items,
          at: this.slotData[slot * SLOT_INTS + RECORD_AT] as number,
          keys: numbered.identifiers ? (this.identifierKeys[slot] as string) : '',
        },
        this.words,
      ),
    );
    const kept = shown === undefined ? ratings : mayBeShown(ratings, shown);
    return kept.map((rating) => rating.candidate(this.idOf(rating.slot)));
  }

  private chosen(subject: PreparedSubject, limit: number): number[] {
    const chosen = new Set<number>();
    for (const identifier of subject.identifiers) {
      const key = this.identifierKey(identifier, false);
      if (!key) continue;
      for (const slot of this.byIdentifier.get(hash30(key))) {
        if (this.keysOf(slot).includes(key)) chosen.add(slot);
      }
    }
    const found: IntList[] = [];
    for (const key of subjectBlockingKeys(subject)) {
      const block = this.blocks.get(key);
      if (block) found.push(block);
    }
    found.sort((a, b) => a.length - b.length);
    const scanned = found.filter((block, at) => at === 0 || block.length <= MAX_BLOCK_SCAN);
    for (const slot of mostVoted(scanned, limit)) chosen.add(slot);
    return [...chosen];
  }

  /** The subject's words as this store numbers them, and its identifiers as its keys. */
  private numbered(subject: PreparedSubject): NumberedSubject {
    this.words.startSubject();
    const numbers = [subject.names.length];
    for (const name of subject.names) {
      numbers.push(name.surnames.length);
      for (const word of name.surnames) numbers.push(this.words.numberOf(word));
      numbers.push(name.given.length);
      for (const word of name.given) numbers.push(this.words.numberOf(word));
    }
    let identifiers: SubjectKeys | null = null;
    if (subject.identifiers.length > 0) {
      const keys = subject.identifiers.map((identifier) => this.identifierKey(identifier, false));
      const records = keys.filter((key): key is string => key?.startsWith('r') ?? false);
      identifiers = {
        records,
        facilities: records.map((key) => key.slice(0, key.indexOf(':'))),
        curps: keys.filter((key): key is string => key?.startsWith('c') ?? false),
      };
    }
    return {
      names: Int32Array.from(numbers),
      birth: subject.birth,
      birthNumber: subject.birth ? Number(subject.birth) : -1,
      sex: subject.sex,
      identifiers,
    };
  }

  /** Files a slot under its blocks and identifiers; a fresh slot cannot be in any block yet. */
  private link(slot: number, patient: PatientView, fresh = false) {
    for (const key of blockingKeys(patient.names, patient.births)) {
      let block = this.blocks.get(key);
      if (!block) {
        block = new IntList(2);
        this.blocks.set(key, block);
      }
      // A fresh slot is the highest yet, so pushing it keeps the block in slot order.
      if (fresh) block.push(slot);
      else block.insertSorted(slot);
    }
    for (const identifier of patient.identifiers) {
      this.byIdentifier.add(hash30(this.identifierKey(identifier)), slot);
    }
  }

  private slotFor(id: string): number | undefined {
    for (const slot of this.slotOf.get(hash30(id))) if (this.idOf(slot) === id) return slot;
    return undefined;
  }

  private idOf(slot: number): string {
    const other = this.otherIds.get(slot);
    return other ?? formatUuid(this.slotBytes, slot * SLOT_BYTES);
  }

  private sexOf(slot: number): 'F' | 'M' | null {
    return SEX_CODES[this.slotData[slot * SLOT_INTS + SEX] as number] ?? null;
  }

  private view(slot: number): PatientView {
    const { names, births } = this.variants(slot);
    const sex = this.sexOf(slot);
    return new SlotView(
      this.idOf(slot),
      names,
      births,
      sex,
      this.identifierKeys[slot] as string,
      this,
    );
  }

  private keysOf(slot: number): string[] {
    const keys = this.identifierKeys[slot];
    return keys ? keys.split(';') : [];
  }

  /** Appends a patient's names and births to the pool; answers where they start. */
  private write(names: readonly PersonName[], births: readonly string[]): number {
    const { pool } = this;
    const start = pool.length;
    const words = (list: readonly string[]) => {
      pool.push(list.length);
      for (const word of list) pool.push(this.wordId(word));
    };
    pool.push(names.length);
    for (const name of names) {
      words(name.surnames);
      words(name.given);
    }
    pool.push(births.length);
    for (const birth of births) pool.push(Number(birth));
    return start;
  }

  private variants(slot: number): { names: PersonName[]; births: string[] } {
    const reader = {
      items: this.pool.items,
      vocabulary: this.vocabulary,
      at: this.slotData[slot * SLOT_INTS + RECORD_AT] as number,
    };
    const names: PersonName[] = new Array(reader.items[reader.at++] as number);
    for (let i = 0; i < names.length; i++) {
      const surnames = readWords(reader);
      names[i] = { surnames, given: readWords(reader) };
    }
    const births: string[] = new Array(reader.items[reader.at++] as number);
    for (let i = 0; i < births.length; i++)
      births[i] = String(reader.items[reader.at++]).padStart(8, '0');
    return { names, births };
  }

  private wordId(word: string): number {
    let id = this.wordIds.get(word);
    if (id === undefined) {
      id = this.vocabulary.push(word) - 1;
      this.wordIds.set(word, id);
    }
    return id;
  }

  private grow() {
    this.capacity = Math.ceil(this.capacity * 1.5);
    const widen = <A extends Uint8Array | Int32Array>(array: A, size: number): A => {
      const grown = new (array.constructor as new (n: number) => A)(size);
      grown.set(array);
      return grown;
    };
    this.slotData = widen(this.slotData, this.capacity * SLOT_INTS);
    this.slotBytes = new Uint8Array(this.slotData.buffer);
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

  identifierOf(key: string): SubjectIdentifier {
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

/** A patient as a store slot holds it; its identifiers are read from their keys when asked for. */
class SlotView implements PatientView {
  private parsed: readonly SubjectIdentifier[] | undefined;

  constructor(
    readonly id: string,
    readonly names: readonly PersonName[],
    readonly births: readonly string[],
    readonly sex: 'F' | 'M' | null,
    private readonly keys: string,
    private readonly store: Pick<PatientStore, 'identifierOf'>,
  ) {}

  get identifiers(): readonly SubjectIdentifier[] {
    this.parsed ??= this.keys
      ? this.keys.split(';').map((key) => this.store.identifierOf(key))
      : [];
    return this.parsed;
  }
}

/**
 * The UUID's text decoded from its characters in one go: a string joined from pieces is a rope,
 * slow to build and slow to compare when candidates are sorted.
 */
function formatUuid(bytes: Uint8Array, offset: number): string {
  for (let i = 0; i < 16; i++) {
    const byte = bytes[offset + i] as number;
    const at = UUID_DIGITS_AT[i] as number;
    uuidText[at] = HEX_CODES[byte >>> 4] as number;
    uuidText[at + 1] = HEX_CODES[byte & 15] as number;
  }
  return latin1.decode(uuidText);
}

/** A counted list of vocabulary numbers in the pool, as words. */
function readWords(reader: {
  items: Int32Array;
  vocabulary: readonly string[];
  at: number;
}): string[] {
  const length = reader.items[reader.at++] as number;
  const list: string[] = new Array(length);
  for (let i = 0; i < length; i++)
    list[i] = reader.vocabulary[reader.items[reader.at++] as number] as string;
  return list;
}
