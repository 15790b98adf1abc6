import {
  type Cipher,
  createCipheriv,
  createDecipheriv,
  createHmac,
  type Decipher,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { Transform } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { CiphertextInvalidError } from './errors.ts';

/**
 * The pure core of envelope encryption: key derivation, wrapping data keys, and the ciphertext
 * format. No I/O here; the key store and the cache are in encryption.ts.
 *
 * Ciphertext format, version 1 (all integers big-endian):
 *
 *   0x01 | u8 n, tenant id | u8 n, subject | u8 n, purpose | u32 key version | iv (12) |
 *   AES-256-GCM ciphertext | tag (16)
 *
 * Everything before the iv is the header: it names the data key (tenant, subject, version) and
 * is the additional authenticated data, so a ciphertext moved to another tenant, subject or
 * purpose fails its tag. The tag is last so a file can be sealed as it streams.
 */
export const FORMAT_VERSION = 1;
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/** Whose data a key seals: `patient:<id>` or `document:<id>`, within one tenant. */
export interface Subject {
  readonly tenantId: string;
  readonly subject: string;
}

export const documentSubject = (tenantId: string, documentId: string): Subject => ({
  tenantId,
  subject: `document:${documentId}`,
});
export const patientSubject = (tenantId: string, patientId: string): Subject => ({
  tenantId,
  subject: `patient:${patientId}`,
});

/** The data key a ciphertext was sealed with, and what for. */
export interface Header extends Subject {
  readonly purpose: string;
  readonly keyVersion: number;
}

const SALT = Buffer.from('docstream/key-encryption/v1');
const derive = (kek: Buffer, info: string) =>
  Buffer.from(hkdfSync('sha256', kek, SALT, info, KEY_BYTES));

/** Each tenant's own key-encryption key, derived from the configured one (HKDF-SHA256). */
export const tenantKek = (kek: Buffer, tenantId: string) => derive(kek, `tenant-kek:${tenantId}`);

/** The key of a tenant's content addresses: equal files share one within a tenant only. */
export const contentAddressKey = (kek: Buffer, tenantId: string) =>
  derive(kek, `content-address:${tenantId}`);

/** A short public name of a key-encryption key, recorded beside what it wraps (rotation). */
export const kekId = (kek: Buffer) =>
  createHmac('sha256', derive(kek, 'kek-id')).update('kek-id').digest('hex').slice(0, 16);

export const newDataKey = () => randomBytes(KEY_BYTES);

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** A decipher for `iv | ciphertext | tag` with its tag set, and the ciphertext in between. */
function decipherOf(key: Buffer, sealed: Buffer, aad: Buffer) {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new CiphertextInvalidError('too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES)).setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return { decipher, body: sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES) };
}

/** The deciphered parts and the last, once the tag is checked: none if it fails. */
function checked(decipher: Decipher, opened: Buffer[]): Buffer[] {
  try {
    return [...opened, decipher.final()];
  } catch (cause) {
    throw new CiphertextInvalidError('authentication failed', { cause });
  }
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const { decipher, body } = decipherOf(key, sealed, aad);
  return Buffer.concat(checked(decipher, [decipher.update(body)]));
}

// A large input (a blob of tens of MB) is enciphered a slice at a time, with the event loop's
// other work between slices: in one piece it would hold every request of the process meanwhile.
const SLICE_BYTES = 1 << 20;

async function inSlices(cipher: Cipher | Decipher, input: Buffer): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for (let at = 0; at < input.length; at += SLICE_BYTES) {
    if (at > 0) await setImmediate();
    parts.push(cipher.update(input.subarray(at, at + SLICE_BYTES)));
  }
  return parts;
}

/** The parts as one buffer, copied a part at a time (a fresh buffer's pages are touched then). */
async function joined(parts: Buffer[]): Promise<Buffer> {
  const whole = Buffer.allocUnsafe(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    if (at > 0) await setImmediate();
    at += part.copy(whole, at);
  }
  return whole;
}

const wrapAad = (s: Subject, version: number) =>
  Buffer.from(`docstream/data-key/v1|${s.tenantId}|${s.subject}|${version}`);

/** A data key sealed under its tenant's key-encryption key, bound to its subject and version. */
export const wrapDataKey = (kek: Buffer, s: Subject, version: number, dataKey: Buffer) =>
  seal(tenantKek(kek, s.tenantId), dataKey, wrapAad(s, version));

export const unwrapDataKey = (kek: Buffer, s: Subject, version: number, wrapped: Buffer) =>
  unwrapWithTenantKek(tenantKek(kek, s.tenantId), s, version, wrapped);

/** The same with the tenant's own key-encryption key, as a downstream consumer holds it. */
export const unwrapWithTenantKek = (key: Buffer, s: Subject, version: number, wrapped: Buffer) =>
  open(key, wrapped, wrapAad(s, version));

const CANARY = Buffer.from('docstream key store canary v1');
const canaryAad = Buffer.from('docstream/canary/v1');

/** What the key store keeps to tell, at start, whether the configured KEK is its own. */
export const sealCanary = (kek: Buffer) => seal(derive(kek, 'canary'), CANARY, canaryAad);

export function canaryOpens(kek: Buffer, sealed: Buffer): boolean {
  try {
    return timingSafeEqual(open(derive(kek, 'canary'), sealed, canaryAad), CANARY);
  } catch {
    return false;
  }
}

const field = (value: string, name: string) => {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length === 0 || bytes.length > 255) throw new RangeError(`${name}: 1 to 255 bytes`);
  return Buffer.concat([Buffer.of(bytes.length), bytes]);
};

export function encodeHeader(h: Header): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt32BE(h.keyVersion);
  return Buffer.concat([
    Buffer.of(FORMAT_VERSION),
    field(h.tenantId, 'tenant id'),
    field(h.subject, 'subject'),
    field(h.purpose, 'purpose'),
    version,
  ]);
}

/** The header of a ciphertext and where it ends; CiphertextInvalidError if it is not one. */
export function decodeHeader(bytes: Buffer): { header: Header; length: number } {
  if (bytes[0] !== FORMAT_VERSION) throw new CiphertextInvalidError('unknown format version');
  let at = 1;
  const next = () => {
    const n = bytes[at];
    if (n === undefined || at + 1 + n > bytes.length) {
      throw new CiphertextInvalidError('truncated header');
    }
    const value = bytes.subarray(at + 1, at + 1 + n).toString('utf8');
    at += 1 + n;
    return value;
  };
  const tenantId = next();
  const subject = next();
  const purpose = next();
  if (at + 4 > bytes.length) throw new CiphertextInvalidError('truncated header');
  const keyVersion = bytes.readUInt32BE(at);
  return { header: { tenantId, subject, purpose, keyVersion }, length: at + 4 };
}

/** Seals `plaintext` with `dataKey`: the whole ciphertext, header first. */
export async function sealWith(
  dataKey: Buffer,
  header: Header,
  plaintext: Buffer,
): Promise<Buffer> {
  const head = encodeHeader(header);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(head);
  const body = await inSlices(cipher, plaintext);
  return joined([head, iv, ...body, cipher.final(), cipher.getAuthTag()]);
}

/** Opens a ciphertext whose header `decodeHeader` read, with the data key it names. */
export async function openWith(
  dataKey: Buffer,
  ciphertext: Buffer,
  headerLength: number,
): Promise<Buffer> {
  const aad = ciphertext.subarray(0, headerLength);
  const { decipher, body } = decipherOf(dataKey, ciphertext.subarray(headerLength), aad);
  return joined(checked(decipher, await inSlices(decipher, body)));
}

/** Seals a stream as it flows: its output is one whole ciphertext, as `sealWith` makes. */
export function sealingTransform(dataKey: Buffer, header: Header): Transform {
  const head = encodeHeader(header);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(head);
  const sealer = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, cipher.update(chunk));
    },
    flush(done) {
      this.push(cipher.final());
      this.push(cipher.getAuthTag());
      done();
    },
  });
  sealer.push(Buffer.concat([head, iv]));
  return sealer;
}
