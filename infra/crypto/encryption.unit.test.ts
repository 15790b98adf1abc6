import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { memoryKeyStore } from '../../test/support/memory-keys.ts';
import { createEncryption } from './encryption.ts';
import { decodeHeader, documentSubject, patientSubject } from './envelope.ts';
import { CiphertextInvalidError, KeyDestroyedError } from './errors.ts';

const PLAINTEXT = 'PÉREZ LÓPEZ, MARÍA · expediente 0012345 · nacida 1961-03-04';
const patient = patientSubject('clinic-1', 'p-1');

function given() {
  const keys = memoryKeyStore();
  const kek = randomBytes(32);
  return { keys, kek, encryption: createEncryption({ keys, kek }) };
}

/** The ciphertext with one byte flipped at `at` (negative: from the end). */
const flipped = (bytes: Buffer, at: number) => {
  const copy = Buffer.from(bytes);
  const i = at < 0 ? copy.length + at : at;
  copy[i] = (copy[i] ?? 0) ^ 0x01;
  return copy;
};

describe('the encryption port', () => {
  it('seals and opens a blob of several MiB a slice at a time, letting other work run between slices', async () => {
    const { encryption } = given();
    const blob = randomBytes(5 * 1024 * 1024 + 17);
    const ranBetween = async (work: Promise<Buffer>) => {
      let ran = false;
      setImmediate(() => {
        ran = true;
      });
      const result = await work;
      return { result, ran };
    };
    const sealing = await ranBetween(encryption.encryptFor(patient, blob, 'blob'));
    expect(sealing.ran).toBe(true);
    const opening = await ranBetween(encryption.decrypt(sealing.result));
    expect(opening.ran).toBe(true);
    expect(opening.result.equals(blob)).toBe(true);
    // A byte changed in a middle slice: nothing comes back, whatever slices opened before it.
    const middle = Math.floor(sealing.result.length / 2);
    await expect(encryption.decrypt(flipped(sealing.result, middle))).rejects.toThrow(
      CiphertextInvalidError,
    );
  });

  it('given a subject, when a string is encrypted and decrypted, then the same text comes back', async () => {
    const { encryption } = given();
    const sealed = await encryption.encryptFor(patient, PLAINTEXT, 'test');
    expect(sealed.includes(Buffer.from('MARÍA'))).toBe(false);
    expect((await encryption.decrypt(sealed)).toString('utf8')).toBe(PLAINTEXT);
  });

  it('names its key in the ciphertext: tenant, subject, purpose and key version', async () => {
    const { encryption } = given();
    const sealed = await encryption.encryptFor(patient, Buffer.from([1, 2, 3]), 'file-name');
    expect(decodeHeader(sealed).header).toEqual({
      tenantId: 'clinic-1',
      subject: 'patient:p-1',
      purpose: 'file-name',
      keyVersion: 1,
    });
  });

  it('makes one data key per subject and seals each message with a fresh iv', async () => {
    const { encryption, keys } = given();
    const a = await encryption.encryptFor(patient, PLAINTEXT, 'test');
    const b = await encryption.encryptFor(patient, PLAINTEXT, 'test');
    await encryption.encryptFor(documentSubject('clinic-1', 'd-1'), PLAINTEXT, 'test');
    expect(a.equals(b)).toBe(false);
    expect([...keys.rows.keys()].sort()).toEqual([
      'clinic-1|document:d-1|1',
      'clinic-1|patient:p-1|1',
    ]);
  });

  it('when any byte of a ciphertext is altered, then decryption refuses it', async () => {
    const { encryption } = given();
    const sealed = await encryption.encryptFor(patient, PLAINTEXT, 'test');
    const headerLength = decodeHeader(sealed).length;
    for (const at of [headerLength + 2, headerLength + 20, -1]) {
      await expect(encryption.decrypt(flipped(sealed, at))).rejects.toBeInstanceOf(
        CiphertextInvalidError,
      );
    }
    await expect(encryption.decrypt(sealed.subarray(0, 10))).rejects.toBeInstanceOf(
      CiphertextInvalidError,
    );
    await expect(encryption.decrypt(Buffer.from('plain text'))).rejects.toBeInstanceOf(
      CiphertextInvalidError,
    );
  });

  it('when a ciphertext is moved to another subject or purpose, then it does not open', async () => {
    const { encryption } = given();
    // Both subjects have keys, so only the binding in the tag can refuse the move.
    await encryption.encryptFor(patientSubject('clinic-1', 'p-2'), 'x', 'test');
    const sealed = await encryption.encryptFor(patient, PLAINTEXT, 'test');
    const moved = Buffer.from(
      sealed.toString('latin1').replace('patient:p-1', 'patient:p-2'),
      'latin1',
    );
    await expect(encryption.decrypt(moved)).rejects.toBeInstanceOf(CiphertextInvalidError);
    const repurposed = Buffer.from(sealed.toString('latin1').replace('test', 'blob'), 'latin1');
    await expect(encryption.decrypt(repurposed)).rejects.toBeInstanceOf(CiphertextInvalidError);
    await expect(encryption.decrypt(sealed, { purpose: 'blob' })).rejects.toThrow(/purpose/);
    await expect(encryption.decrypt(sealed, { tenantId: 'clinic-2' })).rejects.toThrow(/tenantId/);
  });

  it('when the subject keys are destroyed, then its ciphertexts are gone and nothing new is sealed for it', async () => {
    const { encryption } = given();
    const sealed = await encryption.encryptFor(patient, PLAINTEXT, 'test');
    const other = await encryption.encryptFor(patientSubject('clinic-1', 'p-9'), 'kept', 'test');
    await encryption.destroyKeys('clinic-1', ['patient:p-1', 'document:never-had-a-key']);
    await expect(encryption.decrypt(sealed)).rejects.toBeInstanceOf(KeyDestroyedError);
    await expect(encryption.encryptFor(patient, 'again', 'test')).rejects.toBeInstanceOf(
      KeyDestroyedError,
    );
    await expect(
      encryption.encryptFor(documentSubject('clinic-1', 'never-had-a-key'), 'x', 'test'),
    ).rejects.toBeInstanceOf(KeyDestroyedError);
    expect((await encryption.decrypt(other)).toString()).toBe('kept');
  });

  it('given another key-encryption key over the same key store, then nothing opens', async () => {
    const { encryption, keys } = given();
    const sealed = await encryption.encryptFor(patient, PLAINTEXT, 'test');
    const wrong = createEncryption({ keys, kek: randomBytes(32) });
    await expect(wrong.decrypt(sealed)).rejects.toBeInstanceOf(CiphertextInvalidError);
  });

  it('seals a stream into a ciphertext that decrypt opens', async () => {
    const { encryption } = given();
    const bytes = randomBytes(200_000);
    const sealing = await encryption.sealingStream(documentSubject('clinic-1', 'd-1'), 'blob');
    const sealed = await buffer(
      Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]).pipe(sealing),
    );
    expect((await encryption.decrypt(sealed, { purpose: 'blob' })).equals(bytes)).toBe(true);
  });

  it('gives content one address per tenant that does not reveal its hash', async () => {
    const { encryption } = given();
    const sha256 = createHash('sha256').update(PLAINTEXT).digest('hex');
    const a = encryption.contentAddress('clinic-1', sha256);
    expect(encryption.contentAddress('clinic-1', sha256)).toBe(a);
    expect(encryption.contentAddress('clinic-2', sha256)).not.toBe(a);
    expect(a).not.toBe(sha256);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});
