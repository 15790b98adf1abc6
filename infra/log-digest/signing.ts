import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { FRAMING } from './frame.ts';

/** The fields of a LogDigest the signature covers, as they are on the log. */
export interface DigestFields {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  recordCount: number;
  framing: string;
  previousDigest: Buffer;
  digest: Buffer;
  recordHashes: Buffer;
  keyId: string;
}

export const SIGNED_LABEL = 'docstream-log-digest/1';

function lengthPrefixed(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(bytes.length);
  return [size, bytes];
}

function u64(value: string | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(value));
  return b;
}

/**
 * The bytes the Ed25519 signature is made over: the label, then each field length-prefixed or of
 * fixed width, the record hashes by their SHA-256.
 */
export function signedBytes(fields: DigestFields): Buffer {
  return Buffer.concat([
    ...lengthPrefixed(SIGNED_LABEL),
    ...lengthPrefixed(fields.topic),
    u64(fields.partition),
    u64(fields.firstOffset),
    u64(fields.lastOffset),
    u64(fields.recordCount),
    ...lengthPrefixed(fields.framing),
    fields.previousDigest,
    fields.digest,
    createHash('sha256').update(fields.recordHashes).digest(),
    ...lengthPrefixed(fields.keyId),
  ]);
}

/** Names a public key: the first 16 hex digits of the SHA-256 of its raw 32 bytes. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

export function signDigest(fields: Omit<DigestFields, 'keyId' | 'framing'>, key: KeyObject) {
  const complete: DigestFields = { ...fields, framing: FRAMING, keyId: keyIdOf(key) };
  return { ...complete, signature: sign(null, signedBytes(complete), key) };
}

export function signatureHolds(
  fields: DigestFields & { signature: Buffer },
  publicKey: KeyObject,
): boolean {
  if (fields.keyId !== keyIdOf(publicKey)) return false;
  return verify(null, signedBytes(fields), publicKey, fields.signature);
}
